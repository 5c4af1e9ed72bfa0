// Import: pick or drop files, read them in the page, ask the backend for a dry-run preview,
// show per file and entry what would happen and why, then confirm. Nothing is stored before the
// confirmation, and the files' text is dropped as soon as the backend has it.

import { api } from '../api.js';
import { h, icon, replace, append, button, toast, announce } from '../dom.js';
import { screenFiles, importModel } from '../lib/importModel.js';
import { errorText } from '../lib/errors.js';
import { dropZone } from './dropZone.js';

const ACTION_ICON = { import: 'plus', attach: 'link', skip: 'skip', imported: 'check', attached: 'check' };

export function createImportView(app, section) {
  let preview = null; // { id, files: File[], model }
  let lastFiles = [];
  let serviceApp = '';
  const status = h('div', { class: 'import-status', role: 'status', aria: { live: 'polite' } });
  const results = h('div', { class: 'import-results' });
  const footer = h('div', { class: 'import-footer' });

  const zone = dropZone({ id: 'import-files', onFiles: (files) => take(files) });
  section.append(
    h('header', { class: 'view-header' },
      h('div', {},
        h('h1', { id: 'import-title', text: 'Import' }),
        h('p', { class: 'view-subtitle', text: 'Files from earlier tools: tokens_master.json, token-config.json, .wtr-cli.yaml or .json, and .env. You see what each entry becomes before anything is stored.' }))),
    h('div', { class: 'view-body' },
      zone,
      status,
      results,
      footer));

  function reset(message) {
    replace(results);
    replace(footer);
    status.textContent = message;
    zone.classList.remove('drop-zone-compact');
    zone.querySelector('.btn')?.focus();
  }

  async function discard() {
    if (preview?.id) await api.importDiscard(preview.id).catch(() => {});
    preview = null;
  }

  async function readAll(files) {
    // Read, send, forget: the contents (secrets among them) live only in this function's frame.
    return Promise.all(files.map(async (file) => ({ name: file.name, content: await file.text() })));
  }

  async function take(files) {
    await discard();
    lastFiles = files;
    const { accepted, refused } = screenFiles(files);
    replace(results);
    replace(footer);
    status.textContent = `Reading ${accepted.length} file${accepted.length === 1 ? '' : 's'}\u2026`;
    let report = { dry_run: true, files: [] };
    if (accepted.length) {
      try {
        report = await api.importPreview(await readAll(accepted), serviceApp || undefined);
      } catch (error) {
        status.textContent = '';
        replace(results, h('div', { class: 'card card-error', role: 'alert' }, icon('alert'), h('p', { text: `The files could not be previewed: ${errorText(error)}` })));
        return;
      }
    }
    preview = { id: report.preview ?? null, model: importModel(report, refused) };
    render();
  }

  function entryRow(e) {
    return h('li', { class: ['entry', `entry-${e.action}`] },
      h('span', { class: 'entry-icon', 'aria-hidden': 'true' }, icon(ACTION_ICON[e.action] ?? 'info')),
      h('div', { class: 'entry-main' },
        h('div', { class: 'entry-title' },
          h('span', { class: 'entry-verb', text: e.verb }),
          h('strong', { class: 'entry-name', text: e.title }),
          e.kind ? h('span', { class: 'kind-chip', text: e.kindLabel }) : null,
          e.subtitle ? h('span', { class: 'muted small', text: e.subtitle }) : null),
        e.detail ? h('p', { class: ['entry-detail', e.action === 'skip' && 'tone-error'], text: e.detail }) : null,
        e.notes.length ? h('ul', { class: 'entry-notes', aria: { label: 'Notes' } }, e.notes.map((n) => h('li', {}, icon('info'), h('span', { text: n })))) : null,
        e.id ? h('button', { type: 'button', class: 'btn btn-link btn-inline', text: 'Show in the list', on: { click: () => app.emit('select', e.id) } }) : null));
  }

  function fileCard(f) {
    return h('section', { class: ['card', 'import-file', f.error && 'import-file-error'], aria: { label: f.source } },
      h('header', { class: 'import-file-head' },
        icon(f.error ? 'alert' : 'file'),
        h('div', {}, h('h2', { class: 'import-file-name', text: f.source }), f.format ? h('p', { class: 'muted small', text: f.format }) : null),
        f.error ? h('span', { class: 'pill pill-needs-attention' }, h('span', { text: 'Not readable' })) : h('span', { class: 'muted small', text: `${f.entries.length} entr${f.entries.length === 1 ? 'y' : 'ies'}` })),
      f.error ? h('p', { class: 'tone-error import-file-error-text', text: f.error }) : null,
      f.warnings.length ? h('ul', { class: 'import-warnings', aria: { label: 'Warnings' } }, f.warnings.map((w) => h('li', {}, icon('alert'), h('span', { text: w })))) : null,
      f.entries.length ? h('ul', { class: 'entries' }, f.entries.map(entryRow)) : null);
  }

  function serviceAppPicker(model) {
    const needsApp = model.files.some((f) => f.entries.some((e) => e.action === 'skip' && /service app.s tokens/.test(e.detail ?? '')));
    const apps = app.list().filter((c) => c.kind === 'service-app');
    if (!needsApp && !serviceApp) return null;
    const select = h('select', { class: 'input', id: 'import-service-app' },
      h('option', { value: '', text: apps.length ? 'Choose a service app\u2026' : 'No service app stored yet' }),
      apps.map((a) => h('option', { value: a.id, text: a.label ? `${a.name} \u2014 ${a.label}` : a.name })));
    select.value = serviceApp;
    select.addEventListener('change', () => {
      serviceApp = select.value;
      take(lastFiles);
    });
    return h('div', { class: 'field' },
      h('label', { for: 'import-service-app', class: 'field-label', text: 'Attach .env tokens to' }),
      select,
      h('p', { class: 'field-hint', text: 'A .env holds a service app\u2019s tokens but not which app they belong to.' }));
  }

  function render() {
    const model = preview.model;
    // With a preview on screen the drop zone shrinks to a line: the preview is what to read now.
    zone.classList.add('drop-zone-compact');
    status.textContent = model.summary;
    replace(results, model.files.map(fileCard));
    replace(footer);
    if (model.dryRun) {
      const confirm = button(model.confirmLabel, { kind: 'primary', icon: 'check', on: (e) => confirmImport(e.currentTarget) });
      confirm.disabled = !model.canConfirm;
      append(footer, [
        serviceAppPicker(model),
        h('div', { class: 'footer-row' },
          h('p', { class: 'muted', text: model.canConfirm ? 'Nothing has been stored yet.' : 'Nothing here can be imported. Fix the files and choose them again.' }),
          h('div', { class: 'header-actions' },
            button('Discard', { on: async () => { await discard(); reset('Discarded: nothing was stored.'); } }),
            confirm))]);
    } else {
      footer.append(h('div', { class: 'footer-row' },
        h('p', { class: 'muted', text: 'Imported credentials refresh at their next due time; those with an unknown expiry get one at their first refresh.' }),
        h('div', { class: 'header-actions' },
          button('Import more\u2026', { on: () => reset('') }),
          button('Show credentials', { kind: 'primary', on: () => app.navigate('credentials') }))));
    }
    announce(model.summary);
  }

  async function confirmImport(buttonEl) {
    buttonEl.disabled = true;
    buttonEl.setAttribute('aria-busy', 'true');
    try {
      const report = await api.importConfirm(preview.id);
      preview = { id: null, model: importModel(report) };
      render();
      toast(preview.model.summary, { tone: 'success' });
    } catch (error) {
      buttonEl.disabled = false;
      buttonEl.removeAttribute('aria-busy');
      toast(`The import failed: ${errorText(error)}`, { tone: 'error' });
    }
  }

  return {
    show() {},
    take,
  };
}
