// The one way the window talks to the backend (ui/API.md). Inside the app: Tauri's global API.
// In a plain browser (no window.__TAURI__): the mock backend, loaded only then, so the real
// window never ships or runs it.

import { normalizeError } from './lib/errors.js';

let backend = null;

/** Picks the backend. Call once before anything else. */
export async function connect(search = globalThis.location?.search ?? '') {
  const tauri = globalThis.__TAURI__;
  if (tauri?.core?.invoke && tauri?.event?.listen) {
    backend = {
      mock: false,
      invoke: (command, args) => tauri.core.invoke(command, args),
      listen: (event, handler) => tauri.event.listen(event, (e) => handler(e.payload)),
    };
  } else {
    const { createMockBackend } = await import('./mock.js');
    backend = createMockBackend(new URLSearchParams(search));
  }
  return backend;
}

export function isMock() {
  return Boolean(backend?.mock);
}

async function call(command, args) {
  if (!backend) throw normalizeError({ kind: 'internal', message: 'The window is not connected to the app yet.' });
  try {
    return await backend.invoke(command, args);
  } catch (error) {
    throw normalizeError(error);
  }
}

/** Subscribes to a backend event; resolves to a function that unsubscribes. */
export function listen(event, handler) {
  return backend.listen(event, handler);
}

export const api = {
  appInfo: () => call('app_info'),
  listStatus: () => call('list_status'),
  getCredential: (id) => call('get_credential', { id }),
  addCredential: (draft) => call('add_credential', { draft }),
  updateCredential: (id, changes) => call('update_credential', { id, changes }),
  setSecret: (id, which, value, expires) => call('set_secret', expires ? { id, which, value, expires } : { id, which, value }),
  authorize: (id, method) => call('authorize', { id, method }),
  authorizeCancel: (session) => call('authorize_cancel', { session }),
  authorizeOpenAgain: (session) => call('authorize_open_again', { session }),
  authorizeCopyUrl: (session) => call('authorize_copy_url', { session }),
  refresh: (id) => call('refresh', { id }),
  check: (id) => call('check', { id }),
  copyToken: (id, format) => call('copy_token', { id, format }),
  revoke: (id) => call('revoke', { id }),
  remove: (id, force = false) => call('remove', { id, force }),
  importPreview: (files, serviceApp) => call('import_preview', { files, options: serviceApp ? { service_app: serviceApp } : {} }),
  importConfirm: (preview) => call('import_confirm', { preview }),
  importDiscard: (preview) => call('import_discard', { preview }),
  unlock: (passphrase) => call('unlock', passphrase ? { passphrase } : {}),
  auditQuery: (filter) => call('audit_query', { filter }),
  getPreferences: () => call('get_preferences'),
  setPreferences: (prefs) => call('set_preferences', { prefs }),
  openLink: (target) => call('open_link', { target }),
};

/** Events the window listens to. */
export const EVENTS = ['status', 'engine-event', 'authorize-progress', 'vault-state', 'open-at'];
