// Preferences, applied as they change (like a native settings window): each valid change is saved
// at once and confirmed quietly; an invalid value stays in its field with the reason beside it.

import { api } from '../api.js';
import { h, announce } from '../dom.js';
import { field, setFieldMessage } from '../dialogs.js';
import { prefsToForm, formToPrefs } from '../lib/prefs.js';
import { errorText } from '../lib/errors.js';

const NUMBER_FIELDS = [
  ['refresh_percent', 'Refresh when this much of a token\u2019s life is left', '%', 'Between 5 and 90. Tokens are refreshed early, never on their last minute.'],
  ['min_margin_minutes', 'But at least this long before it ends', 'minutes', null],
  ['max_margin_hours', 'And at most this long before', 'hours', 'Keeps 14-day tokens from being refreshed more than needed.'],
  ['personal_warning_minutes', 'Warn before a personal access token ends', 'minutes', 'Personal tokens cannot be refreshed; you paste a new one.'],
];

export function createPreferencesView(app, section) {
  let values = null;
  let saveTimer = 0;
  let serial = 0;
  const saved = h('p', { class: 'save-state', role: 'status' });
  const form = h('form', { class: 'form prefs-form', novalidate: true });

  section.append(
    h('header', { class: 'view-header' },
      h('div', {}, h('h1', { id: 'preferences-title', text: 'Preferences' }), h('p', { class: 'view-subtitle', text: 'Changes apply as you make them.' })),
      saved),
    h('div', { class: 'view-body' }, form));

  const controls = {};
  const numberInput = (name) => h('input', { type: 'text', inputmode: 'numeric', class: 'input input-short', autocomplete: 'off' });
  const toggle = (name, label, hint) => {
    const input = h('input', { type: 'checkbox', class: 'switch', id: `p-${name}`, role: 'switch' });
    controls[name] = input;
    return h('div', { class: 'toggle-row' },
      h('label', { for: `p-${name}`, class: 'toggle-label' }, h('span', { text: label }), hint ? h('span', { class: 'field-hint', text: hint }) : null),
      input);
  };

  function group(title, description, ...children) {
    const id = `pg-${title.toLowerCase().replace(/\W+/g, '-')}`;
    return h('section', { class: 'card prefs-group', aria: { labelledby: id } },
      h('h2', { id, class: 'card-title', text: title }),
      description ? h('p', { class: 'muted small', text: description }) : null,
      children);
  }

  function build() {
    const refreshFields = NUMBER_FIELDS.map(([name, label, unit, hint]) => {
      const input = numberInput(name);
      controls[name] = input;
      const f = field({ id: `p-${name}`, label, control: input, hint });
      f.classList.add('field-inline');
      input.after(h('span', { class: 'unit', text: unit }));
      return f;
    });
    const clear = numberInput('clipboard_clear_secs');
    controls.clipboard_clear_secs = clear;
    const clearField = field({ id: 'p-clipboard_clear_secs', label: 'Clear a copied token after', control: clear, hint: '0 keeps it on the clipboard until something else replaces it.' });
    clearField.classList.add('field-inline');
    clear.after(h('span', { class: 'unit', text: 'seconds' }));
    const base = h('input', { type: 'url', class: 'input mono', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://webexapis.com/v1' });
    controls.default_api_base = base;

    form.append(
      group('Refreshing', 'When tokens are refreshed in the background.', refreshFields),
      group('Clipboard', null, clearField),
      group('Notifications', 'What the tray tells you on the desktop.',
        toggle('notify_attention', 'When a credential needs you', 'A rejected refresh token, a rotated client secret, an expiring personal token.'),
        toggle('notify_refresh_failed', 'When a refresh fails and will be retried', 'Usually Webex being briefly unavailable; off by default.'),
        toggle('notify_recovered', 'When a credential works again')),
      group('Startup', null, toggle('start_at_login', 'Start Webex Token Tray when you log in', 'Tokens stay fresh without opening anything.')),
      group('Webex', null, field({ id: 'p-default_api_base', label: 'Default API base', control: base, optional: true, hint: 'For every credential without its own. Empty: https://webexapis.com/v1 (or WEBEX_API_BASE when the app was started with it, which wins).' })));

    for (const [name, el] of Object.entries(controls)) {
      el.addEventListener(el.type === 'checkbox' ? 'change' : 'input', () => {
        values[name] = el.type === 'checkbox' ? el.checked : el.value;
        if (el.type !== 'checkbox') showErrors();
        schedule(el.type === 'checkbox' ? 0 : 500);
      });
      if (el.type !== 'checkbox') el.addEventListener('blur', () => schedule(0));
    }
  }

  function fill() {
    for (const [name, el] of Object.entries(controls)) {
      if (el.type === 'checkbox') el.checked = Boolean(values[name]);
      else el.value = values[name] ?? '';
    }
  }

  function schedule(ms) {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, ms);
  }

  /** Validates as people type; saving waits for a pause. */
  function showErrors() {
    const { errors } = formToPrefs(values);
    for (const name of Object.keys(controls)) {
      if (controls[name].type !== 'checkbox') setFieldMessage(form, `p-${name}`, { error: errors[name] });
    }
    return errors;
  }

  async function save() {
    showErrors();
    const { prefs } = formToPrefs(values);
    if (!prefs) {
      saved.textContent = 'Not saved: fix the marked field.';
      saved.className = 'save-state tone-error';
      return;
    }
    if (JSON.stringify(prefs) === JSON.stringify(app.prefs)) return;
    const mine = ++serial;
    saved.textContent = 'Saving\u2026';
    saved.className = 'save-state';
    try {
      const stored = await api.setPreferences(prefs);
      if (mine !== serial) return;
      app.prefs = stored;
      // The default API base shows in the add form; ask the app which one is in force now.
      api.appInfo().then((info) => { app.info = info; }, () => {});
      saved.textContent = 'All changes saved';
      saved.className = 'save-state tone-ok';
      announce('Preferences saved.');
    } catch (error) {
      if (mine !== serial) return;
      if (error.field && controls[error.field]) setFieldMessage(form, `p-${error.field}`, { error: error.message });
      saved.textContent = `Not saved: ${errorText(error)}`;
      saved.className = 'save-state tone-error';
    }
  }

  let built = false;
  return {
    show() {
      if (!built) {
        build();
        built = true;
      }
      values = prefsToForm(app.prefs);
      fill();
      saved.textContent = '';
    },
  };
}
