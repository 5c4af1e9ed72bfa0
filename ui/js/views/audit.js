// The audit log: everything that happened to credentials, newest first, filtered by credential,
// action, result and time; older pages on request.

import { api } from '../api.js';
import { h, icon, replace, button, announce, copyText } from '../dom.js';
import { auditFilter, ACTIONS, RESULTS, RANGES, ACTION_NOUN, RESULT_SHORT } from '../lib/audit.js';
import { dateTime, ago } from '../lib/time.js';
import { errorText } from '../lib/errors.js';

const PAGE = 200;

export function createAuditView(app, section) {
  const form = { credential: '', action: '', result: '', range: 'week', from: '', to: '' };
  const credential = h('select', { class: 'input', id: 'audit-credential' });
  const action = h('select', { class: 'input', id: 'audit-action' }, h('option', { value: '', text: 'All actions' }), ACTIONS.map(([v, l]) => h('option', { value: v, text: l })));
  const result = h('select', { class: 'input', id: 'audit-result' }, h('option', { value: '', text: 'All results' }), RESULTS.map(([v, l]) => h('option', { value: v, text: l })));
  const range = h('select', { class: 'input', id: 'audit-range' }, RANGES.map(([v, l]) => h('option', { value: v, text: l })));
  const from = h('input', { type: 'datetime-local', class: 'input', id: 'audit-from' });
  const to = h('input', { type: 'datetime-local', class: 'input', id: 'audit-to' });
  // The choices name themselves ("All actions"); their labels are for screen readers.
  const custom = h('div', { class: 'audit-custom', hidden: true },
    h('label', { class: 'toolbar-field' }, h('span', { class: 'toolbar-label', text: 'From' }), from),
    h('label', { class: 'toolbar-field' }, h('span', { class: 'toolbar-label', text: 'To' }), to));
  const message = h('p', { class: 'audit-message', role: 'status' });
  const tbody = h('tbody');
  const table = h('table', { class: 'table audit-table' },
    h('caption', { class: 'sr-only', text: 'Audit records, newest first' }),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'col-when', text: 'Time' }),
      h('th', { scope: 'col', text: 'Credential' }),
      h('th', { scope: 'col', text: 'Action' }),
      h('th', { scope: 'col', text: 'Result' }),
      h('th', { scope: 'col', text: 'Details' }))),
    tbody);
  const more = button('Load older records', { icon: 'arrowDown' });
  const tableWrap = h('div', { class: 'table-wrap' }, table);
  range.value = form.range;

  section.append(
    h('header', { class: 'view-header' },
      h('div', {}, h('h1', { id: 'audit-title', text: 'Audit log' }),
        h('p', { class: 'view-subtitle', text: 'Every add, import, authorization, refresh, check, revocation and removal. Never a token or secret.' }))),
    h('div', { class: 'toolbar', role: 'search', aria: { label: 'Filter the audit log' } },
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Credential' }), credential),
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Action' }), action),
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Result' }), result),
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Time' }), range),
      custom),
    h('div', { class: 'view-body audit-body' }, message, tableWrap, h('div', { class: 'audit-more' }, more)));

  let records = [];
  let hasMore = false;
  let serial = 0;

  function fillCredentials() {
    const list = app.list().sort((a, b) => a.name.localeCompare(b.name));
    replace(credential, h('option', { value: '', text: 'All credentials' }), list.map((c) => h('option', { value: c.id, text: c.label ? `${c.name} \u2014 ${c.label}` : c.name })));
    credential.value = list.some((c) => c.id === form.credential) ? form.credential : '';
  }

  function detailsCell(r) {
    const bits = [];
    if (r.message) bits.push(h('span', { class: 'audit-msg', text: r.message }));
    const meta = [];
    if (r.http_status) meta.push(h('span', { class: 'mono', text: `HTTP ${r.http_status}` }));
    if (r.duration_ms !== undefined) meta.push(h('span', { text: `${r.duration_ms} ms` }));
    if (r.tracking_id) {
      meta.push(h('button', { type: 'button', class: 'tracking', title: 'Copy trackingId', aria: { label: `Copy trackingId ${r.tracking_id}` }, on: { click: () => copyText(r.tracking_id, 'trackingId') } }, h('span', { class: 'mono', text: r.tracking_id }), icon('copy')));
    }
    if (meta.length) bits.push(h('span', { class: 'audit-meta' }, meta));
    return h('td', {}, h('div', { class: 'audit-details' }, bits.length ? bits : h('span', { class: 'muted', text: '\u2014' })));
  }

  function renderRows(list, append) {
    const now = app.now();
    const rows = list.map((r) => h('tr', {},
      h('td', { class: 'col-when' }, h('time', { datetime: r.time, title: dateTime(r.time), text: dateTime(r.time) }), h('span', { class: 'muted small block', text: ago(r.time, now) })),
      h('td', {}, r.credential_id && app.get(r.credential_id)
        ? h('button', { type: 'button', class: 'btn btn-link btn-inline', text: r.credential_name ?? r.credential_id, on: { click: () => app.emit('select', r.credential_id) } })
        : h('span', { text: r.credential_name ?? r.credential_id ?? '\u2014' })),
      h('td', { text: ACTION_NOUN[r.action] ?? r.action }),
      h('td', {}, h('span', { class: ['result', `tone-${r.result === 'ok' ? 'ok' : r.result === 'transient' ? 'warning' : 'error'}`], text: RESULT_SHORT[r.result] ?? r.result })),
      detailsCell(r)));
    if (append) tbody.append(...rows);
    else replace(tbody, rows);
  }

  async function load({ older = false } = {}) {
    const built = auditFilter(form, app.now());
    if (built.error) {
      message.textContent = built.error;
      message.className = 'audit-message tone-error';
      return;
    }
    const filter = { ...built.filter, limit: PAGE };
    if (older && records.length) filter.before = records.at(-1).time;
    const mine = ++serial;
    message.className = 'audit-message';
    message.textContent = older ? 'Loading older records\u2026' : 'Loading\u2026';
    try {
      const page = await api.auditQuery(filter);
      if (mine !== serial) return;
      records = older ? records.concat(page.records) : page.records;
      hasMore = page.more;
      renderRows(page.records, older);
      tableWrap.hidden = records.length === 0;
      more.hidden = !hasMore;
      const unreadable = page.unreadable_lines ? ` ${page.unreadable_lines} damaged line${page.unreadable_lines === 1 ? '' : 's'} could not be read.` : '';
      message.textContent = records.length
        ? `${records.length.toLocaleString()}${hasMore ? '+' : ''} record${records.length === 1 ? '' : 's'}.${unreadable}`
        : `No records match these filters.${unreadable}`;
      announce(message.textContent);
    } catch (error) {
      if (mine !== serial) return;
      message.className = 'audit-message tone-error';
      message.textContent = `The audit log could not be read: ${errorText(error)}`;
    }
  }

  const onChange = () => {
    form.credential = credential.value;
    form.action = action.value;
    form.result = result.value;
    form.range = range.value;
    form.from = from.value;
    form.to = to.value;
    custom.hidden = form.range !== 'custom';
    load();
  };
  for (const el of [credential, action, result, range, from, to]) el.addEventListener('change', onChange);
  more.addEventListener('click', () => load({ older: true }));

  return {
    show() {
      fillCredentials();
      load();
    },
  };
}
