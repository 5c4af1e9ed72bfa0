// The add and edit forms for the three kinds, in a dialog, validated as people type. Secrets are
// password fields that are emptied when the dialog closes; editing never shows a secret, it only
// offers to replace one.

import { api } from '../api.js';
import { h, icon, replace, append, toast, announce, copyText } from '../dom.js';
import { openDialog, field, setFieldMessage, submitOnEnter } from '../dialogs.js';
import { validateCredentialForm, redirectUriFor, validatePort, validateRedirectUri, DEFAULT_SCOPES, DEFAULT_REDIRECT_PORT, MINT_SCOPE } from '../lib/validate.js';
import { errorText } from '../lib/errors.js';


const KINDS = [
  { value: 'integration', label: 'Integration', hint: 'An OAuth app you sign in to once; refreshed for 90 days at a time.', link: 'new-integration', linkText: 'Create an integration at developer.webex.com' },
  { value: 'service-app', label: 'Service app', hint: 'A machine account an org admin authorized; its tokens are minted by an integration or a personal token.', link: 'new-service-app', linkText: 'Create a service app at developer.webex.com' },
  { value: 'personal', label: 'Personal access token', hint: 'Your own 12-hour token from the developer portal; it cannot be refreshed.', link: 'personal-token', linkText: 'Get a personal access token' },
];

/** Which form fields each kind shows, in order. */
const FIELDS = {
  integration: ['name', 'label', 'client_id', 'client_secret', 'scopes', 'port', 'api_base'],
  'service-app': ['name', 'label', 'client_id', 'client_secret', 'target_org_id', 'bearer', 'api_base'],
  personal: ['name', 'label', 'personal_token', 'personal_expires_at', 'api_base'],
};
const SECRET_FIELDS = ['client_secret', 'personal_token'];

/** Backend error fields that are shown on another form field. */
const FIELD_ALIAS = { redirect_uri: 'port' };

export async function openCredentialForm(app, { mode, kind: initialKind = 'integration', id, focus }) {
  let detail = null;
  if (mode === 'edit') {
    try {
      detail = await api.getCredential(id);
    } catch (error) {
      toast(`Could not open the settings: ${errorText(error)}`, { tone: 'error' });
      return undefined;
    }
  }
  const editing = mode === 'edit';
  let kind = editing ? detail.kind : initialKind;
  const values = editing
    ? {
      name: detail.name, label: detail.label ?? '', api_base: detail.api_base ?? '', client_id: detail.client_id ?? '',
      scopes: (detail.scopes ?? []).join(' '), port: detail.redirect_uri ? String(validateRedirectUri(detail.redirect_uri).port ?? DEFAULT_REDIRECT_PORT) : String(DEFAULT_REDIRECT_PORT),
      target_org_id: detail.target_org_id ?? '', bearer: detail.bearer ?? '',
    }
    : { name: '', label: '', api_base: '', client_id: '', client_secret: '', scopes: DEFAULT_SCOPES.join(' '), port: String(DEFAULT_REDIRECT_PORT), target_org_id: '', bearer: '', personal_token: '', personal_expires_at: '' };
  const touched = new Set();
  let submitted = false;
  const bearerScopes = new Map();

  const bearers = () => app.list()
    .filter((c) => c.kind !== 'service-app' && c.id !== id)
    .map((c) => ({ id: c.id, name: c.name, kind: c.kind, label: c.label, scopes: bearerScopes.get(c.id) }))
    .sort((a, b) => a.name.localeCompare(b.name));

  return openDialog({
    title: editing ? `Edit \u201c${detail.name}\u201d` : 'Add a credential',
    className: 'dialog-form',
    build: (close, dialog) => {
      const form = h('form', { class: 'form', novalidate: true });
      const kindHost = h('div');
      const fieldsHost = h('div', { class: 'form-grid' });
      const helpHost = h('div', { class: 'form-help' });
      const summary = h('p', { class: 'form-summary', role: 'alert' });
      const save = h('button', { type: 'button', class: 'btn btn-primary', text: editing ? 'Save changes' : 'Add', on: { click: () => form.requestSubmit() } });
      const controls = {};

      const wipeSecrets = () => {
        for (const f of SECRET_FIELDS) {
          values[f] = '';
          if (controls[f]) controls[f].value = '';
        }
      };
      dialog.addEventListener('close', wipeSecrets);

      if (!editing) {
        const group = h('fieldset', { class: 'segmented' }, h('legend', { class: 'field-label', text: 'Kind' }));
        for (const k of KINDS) {
          const radio = h('input', { type: 'radio', name: 'kind', value: k.value, id: `kind-${k.value}`, checked: k.value === kind });
          radio.addEventListener('change', () => {
            kind = k.value;
            touched.clear();
            submitted = false;
            renderFields();
          });
          group.append(h('label', { class: 'segment', for: `kind-${k.value}` }, radio, h('span', { text: k.label })));
        }
        kindHost.append(group);
      }

      const control = (name) => {
        switch (name) {
          case 'name':
            return h('input', { type: 'text', class: 'input', autocomplete: 'off', maxlength: 200, placeholder: kind === 'personal' ? 'e.g. My token' : 'e.g. Acme Corp meetings' });
          case 'label':
            return h('input', { type: 'text', class: 'input', autocomplete: 'off', list: 'org-labels', placeholder: 'e.g. Acme Inc' });
          case 'client_id':
            return h('input', { type: 'text', class: 'input mono', autocomplete: 'off', spellcheck: 'false', placeholder: 'C0a1b2c3\u2026', readonly: editing });
          case 'client_secret':
          case 'personal_token':
            return h('input', { type: 'password', class: 'input mono', autocomplete: 'off', spellcheck: 'false' });
          case 'scopes':
            return h('textarea', { class: 'input mono', rows: 3, spellcheck: 'false' });
          case 'port':
            return h('input', { type: 'text', inputmode: 'numeric', class: 'input input-short', autocomplete: 'off' });
          case 'target_org_id':
            return h('input', { type: 'text', class: 'input mono', autocomplete: 'off', spellcheck: 'false', placeholder: 'Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9\u2026 or the org uuid' });
          case 'bearer': {
            const select = h('select', { class: 'input' }, h('option', { value: '', text: 'Choose\u2026' }));
            const list = bearers();
            for (const [groupKind, label] of [['integration', 'Integrations'], ['personal', 'Personal access tokens']]) {
              const items = list.filter((b) => b.kind === groupKind);
              if (items.length) select.append(h('optgroup', { label }, items.map((b) => h('option', { value: b.id, text: b.label ? `${b.name} \u2014 ${b.label}` : b.name }))));
            }
            return select;
          }
          case 'personal_expires_at':
            return h('input', { type: 'datetime-local', class: 'input' });
          case 'api_base':
            return h('input', { type: 'url', class: 'input mono', autocomplete: 'off', spellcheck: 'false', placeholder: app.info?.default_api_base ?? 'https://webexapis.com/v1' });
          default:
            return h('input', { type: 'text', class: 'input' });
        }
      };

      const LABELS = {
        name: ['Name', 'How this credential is listed here and in the tray.'],
        label: ['Org or customer', 'Groups credentials by org in the list and its filter.'],
        client_id: ['Client ID', editing ? 'The client id cannot change: add a new credential for another app.' : 'On the app\u2019s page at developer.webex.com.'],
        client_secret: ['Client secret', 'Shown once when the app is created or its secret regenerated. Stored in the vault, never shown here.'],
        personal_token: ['Personal access token', 'Stored in the vault, never shown here.'],
        scopes: ['Scopes', 'Exactly the scopes selected on the integration, separated by spaces.'],
        port: ['Redirect port', null],
        target_org_id: ['Target org ID', 'The customer org this app works in; an admin there authorizes the app in Control Hub.'],
        bearer: ['Minted by', `An integration or personal access token with ${MINT_SCOPE}; it gets this app\u2019s tokens.`],
        personal_expires_at: ['Expires', 'Leave empty for 12 hours from now.'],
        api_base: ['API base', 'Leave empty for the default. Only for Webex for Government or a test server.'],
      };

      const redirectPreview = h('div', { class: 'redirect-preview' });
      const renderRedirect = () => {
        const port = validatePort(values.port);
        replace(redirectPreview);
        if (port.error) return;
        const uri = redirectUriFor(port.value);
        redirectPreview.append(
          h('span', { class: 'muted', text: 'Redirect URI to register on the integration:' }),
          h('span', { class: 'redirect-uri-row' }, h('code', { class: 'selectable', text: uri }),
            h('button', { type: 'button', class: 'btn-icon', aria: { label: 'Copy redirect URI' }, on: { click: () => copyText(uri, 'Redirect URI') } }, icon('copy'))));
      };

      const validate = () => validateCredentialForm(kind, values, { mode, now: app.now(), bearers: bearers() });

      const showMessages = () => {
        const result = validate();
        for (const name of FIELDS[kind]) {
          if (editing && (SECRET_FIELDS.includes(name) || name === 'personal_expires_at')) continue;
          const show = submitted || touched.has(name);
          const id = `f-${name}`;
          setFieldMessage(form, id, {
            error: show ? result.errors[name] : undefined,
            warning: touched.has(name) || submitted || name === 'bearer' ? result.warnings[name] : undefined,
            note: result.notes[name],
          });
        }
        if (kind === 'integration') renderRedirect();
        const count = Object.keys(result.errors).length;
        summary.textContent = submitted && count ? `${count === 1 ? 'One field needs' : `${count} fields need`} attention.` : '';
        return result;
      };

      const renderFields = () => {
        replace(fieldsHost);
        const k = KINDS.find((x) => x.value === kind);
        replace(helpHost,
          h('p', { class: 'muted', text: k.hint }),
          h('button', { type: 'button', class: 'btn btn-link', on: { click: () => app.actions.openLink(k.link) } }, icon('external'), h('span', { text: k.linkText })));
        for (const name of FIELDS[kind]) {
          if (editing && (SECRET_FIELDS.includes(name) || name === 'personal_expires_at')) continue;
          const el = control(name);
          controls[name] = el;
          if (values[name] !== undefined) el.value = values[name];
          const update = () => {
            values[name] = el.value;
            touched.add(name);
            if (name === 'bearer') loadBearerScopes(el.value);
            showMessages();
          };
          el.addEventListener('input', update);
          el.addEventListener('change', update);
          el.addEventListener('blur', () => {
            if (el.value !== '') touched.add(name);
            showMessages();
          });
          const [label, hint] = LABELS[name];
          const optional = ['label', 'api_base', 'personal_expires_at'].includes(name);
          const wrapped = field({ id: `f-${name}`, label, control: el, hint, optional, wide: ['scopes', 'target_org_id', 'client_id', 'client_secret', 'personal_token'].includes(name) });
          if (name === 'port') wrapped.append(redirectPreview);
          if (name === 'api_base') {
            fieldsHost.append(h('details', { class: 'advanced', open: Boolean(values.api_base) }, h('summary', { text: 'Advanced' }), wrapped));
          } else {
            fieldsHost.append(wrapped);
          }
        }
        if (editing) fieldsHost.append(secretsSection());
        fieldsHost.append(h('datalist', { id: 'org-labels' }, [...new Set(app.list().map((c) => c.label).filter(Boolean))].sort().map((l) => h('option', { value: l }))));
        showMessages();
      };

      const secretsSection = () => {
        const rows = [];
        if (kind !== 'personal') {
          rows.push(h('div', { class: 'secret-row' },
            h('span', { text: 'Client secret' }),
            h('span', { class: 'muted', text: detail.secrets.client_secret ? 'Stored' : 'Not stored' }),
            h('button', { type: 'button', class: 'btn btn-secondary btn-small', text: 'Replace\u2026', on: { click: () => app.actions.setSecret(id, 'client-secret') } })));
        } else {
          rows.push(h('div', { class: 'secret-row' },
            h('span', { text: 'Token' }),
            h('span', { class: 'muted', text: detail.secrets.access_token ? 'Stored' : 'Not stored' }),
            h('button', { type: 'button', class: 'btn btn-secondary btn-small', text: 'Paste a new token\u2026', on: { click: () => app.actions.setSecret(id, 'personal-token') } })));
        }
        return h('div', { class: 'field field-wide' }, h('span', { class: 'field-label', text: 'Secrets' }), h('div', { class: 'secret-rows' }, rows));
      };

      const loadBearerScopes = async (bearerId) => {
        const b = app.get(bearerId);
        if (!b || b.kind !== 'integration' || bearerScopes.has(bearerId)) return;
        try {
          const d = await api.getCredential(bearerId);
          bearerScopes.set(bearerId, d.scopes ?? []);
          showMessages();
        } catch {
          // Without its scopes there is simply no warning.
        }
      };

      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        submitted = true;
        const result = showMessages();
        if (!result.valid) {
          const first = FIELDS[kind].find((n) => result.errors[n]);
          controls[first]?.focus();
          announce(summary.textContent, { assertive: true });
          return;
        }
        save.disabled = true;
        save.setAttribute('aria-busy', 'true');
        try {
          let saved;
          if (editing) {
            const changes = { ...result.draft };
            delete changes.kind;
            delete changes.client_id;
            if (kind !== 'integration') delete changes.scopes;
            saved = await api.updateCredential(id, changes);
            toast(`Saved \u201c${saved.name}\u201d.`, { tone: 'success' });
          } else {
            saved = await api.addCredential(result.draft);
            wipeSecrets();
            toast(kind === 'integration' ? `Added \u201c${saved.name}\u201d. Authorize it to get its first tokens.` : `Added \u201c${saved.name}\u201d.`, { tone: 'success' });
          }
          close(saved);
          app.emit('select', saved.id);
        } catch (error) {
          const target = FIELD_ALIAS[error.field] ?? error.field;
          if (target && controls[target]) {
            setFieldMessage(form, `f-${target}`, { error: errorText(error) });
            controls[target].focus();
          } else {
            summary.textContent = errorText(error);
          }
        } finally {
          if (save.isConnected) {
            save.disabled = false;
            save.removeAttribute('aria-busy');
          }
        }
      });
      submitOnEnter(form);

      append(form, [kindHost, editing ? null : helpHost, fieldsHost, summary]);
      renderFields();
      if (kind === 'service-app' && values.bearer) loadBearerScopes(values.bearer);
      return {
        body: form,
        actions: [
          h('button', { type: 'button', class: 'btn btn-secondary', text: 'Cancel', on: { click: () => close() } }),
          save,
        ],
      };
    },
    initialFocus: (d) => (focus ? d.querySelector(`#f-${focus}`) : null) ?? d.querySelector(editing ? '#f-name' : 'input[name=kind]:checked'),
  });
}


