// The settings window: connects to the backend, keeps the window's copy of the status current from
// events, and routes between views. Views render; the backend decides.

import { connect, api, listen, isMock } from './api.js';
import { applyStatus } from './lib/statusStore.js';
import { effectiveHealth } from './lib/listing.js';
import { errorText } from './lib/errors.js';
import { $, $$, h, icon, replace, announce, toast } from './dom.js';
import { createActions } from './actions.js';
import { createCredentialsView } from './views/credentials.js';
import { createFirstRunView } from './views/firstRun.js';
import { createImportView } from './views/import.js';
import { createAuditView } from './views/audit.js';
import { createPreferencesView } from './views/preferences.js';
import { createUnlockView } from './views/unlock.js';

const ROUTES = ['credentials', 'import', 'audit', 'preferences', 'unlock'];

function createApp() {
  const listeners = new Map();
  const app = {
    info: null,
    vault: { state: 'unlocked', source: 'keychain' },
    prefs: null,
    credentials: new Map(),
    route: null,
    /** Window-wide clock, so every countdown reads the same second. */
    now: () => Date.now(),
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => listeners.get(event).delete(fn);
    },
    emit(event, detail) {
      for (const fn of listeners.get(event) ?? []) fn(detail);
    },
    list() {
      return [...app.credentials.values()];
    },
    get(id) {
      return app.credentials.get(id);
    },
    nameOf(id) {
      return app.credentials.get(id)?.name ?? id;
    },
    navigate(route, options = {}) {
      const target = ROUTES.includes(route) ? route : 'credentials';
      if (location.hash !== `#${target}`) history.replaceState(null, '', `#${target}`);
      show(app, target, options);
    },
  };
  return app;
}

function show(app, route, { focus = true } = {}) {
  const firstRun = route === 'credentials' && app.credentials.size === 0 && app.vault.state === 'unlocked';
  const sectionId = firstRun ? 'view-first-run' : `view-${route}`;
  for (const section of $$('.view')) section.hidden = section.id !== sectionId;
  for (const link of $$('#nav a')) {
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const previous = app.route;
  app.route = firstRun ? 'first-run' : route;
  app.views[app.route]?.show?.();
  if (focus && previous !== null && previous !== app.route) {
    // Move focus to the new view's heading so keyboard and screen-reader users land in it.
    const heading = $(`#${sectionId} h1`);
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
  renderVault(app);
  document.title = `${{ credentials: 'Credentials', 'first-run': 'Welcome', import: 'Import', audit: 'Audit log', preferences: 'Preferences', unlock: 'Unlock' }[app.route]} \u2014 Webex Token Tray`;
}

function renderNav(app) {
  for (const el of $$('[data-icon]')) if (!el.firstChild) el.append(icon(el.dataset.icon));
  const attention = app.list().filter((c) => effectiveHealth(c) === 'needs-attention').length;
  const badge = $('#nav-attention');
  badge.hidden = attention === 0;
  badge.textContent = String(attention);
  badge.setAttribute('aria-label', `${attention} need${attention === 1 ? 's' : ''} attention`);
}

function renderVault(app) {
  const locked = app.vault.state !== 'unlocked';
  const link = $('#vault-status');
  link.classList.toggle('locked', locked);
  replace(link,
    icon(locked ? 'lock' : 'shield'),
    h('span', { class: 'vault-text' },
      h('span', { class: 'vault-title', text: locked ? 'Vault locked' : 'Vault unlocked' }),
      h('span', { class: 'vault-source', text: app.vault.source === 'passphrase' ? 'Passphrase' : 'System keychain' })));
  link.setAttribute('aria-label', `${locked ? 'Vault locked' : 'Vault unlocked'}, ${app.vault.source === 'passphrase' ? 'passphrase' : 'system keychain'}${locked ? '. Unlock' : ''}`);
  const host = $('#banner-host');
  replace(host);
  if (locked && app.route !== 'unlock') {
    host.append(h('div', { class: 'banner banner-warning', role: 'region', 'aria-label': 'Vault locked' },
      icon('lock'),
      h('p', { text: app.vault.source === 'passphrase' ? 'The vault is locked. Stored tokens cannot be used or refreshed until you unlock it.' : 'The keychain did not hand out the vault key. Stored tokens cannot be used until it does.' }),
      h('a', { class: 'btn btn-primary', href: '#unlock', text: 'Unlock\u2026' })));
  }
}

async function boot() {
  const app = createApp();
  await connect();
  document.documentElement.classList.toggle('is-mock', isMock());
  app.actions = createActions(app);
  app.views = {
    credentials: createCredentialsView(app, $('#view-credentials')),
    'first-run': createFirstRunView(app, $('#view-first-run')),
    import: createImportView(app, $('#view-import')),
    audit: createAuditView(app, $('#view-audit')),
    preferences: createPreferencesView(app, $('#view-preferences')),
    unlock: createUnlockView(app, $('#view-unlock')),
  };

  performance.mark('boot-connected');
  const [info, status, prefs] = await Promise.all([api.appInfo(), api.listStatus(), api.getPreferences()]);
  performance.mark('boot-data');
  app.info = info;
  app.vault = info.vault;
  app.prefs = prefs;
  applyStatus(app.credentials, status);
  $('#app-version').textContent = `Version ${info.version}`;

  await listen('status', (payload) => {
    const before = app.credentials.size;
    const idsChanged = applyStatus(app.credentials, payload);
    renderNav(app);
    app.emit('status', { idsChanged });
    // The first credential turns the welcome into the list; the last one removed turns it back.
    if ((before === 0) !== (app.credentials.size === 0) && (app.route === 'first-run' || app.route === 'credentials')) {
      show(app, 'credentials', { focus: false });
    }
  });
  app.on('vault', () => renderVault(app));
  await listen('vault-state', (vault) => {
    const wasLocked = app.vault.state !== 'unlocked';
    app.vault = vault;
    app.emit('vault', vault);
    if (vault.state === 'unlocked' && wasLocked) announce('The vault is unlocked.');
  });
  // A bulk failure (Webex down for a thousand credentials) must not bury the window in toasts:
  // attention events arriving together become one message.
  let attentionBatch = [];
  await listen('engine-event', (event) => {
    if (event.event === 'needs-attention') {
      attentionBatch.push(event);
      if (attentionBatch.length === 1) {
        setTimeout(() => {
          const batch = attentionBatch;
          attentionBatch = [];
          toast(batch.length === 1
            ? `\u201c${batch[0].name}\u201d needs attention.`
            : `${batch.length} credentials need attention.`, { tone: 'warning' });
        }, 400);
      }
    } else if (event.event === 'recovered') {
      announce(`\u201c${event.name}\u201d works again.`);
    }
    app.emit('engine-event', event);
  });
  await listen('authorize-progress', (progress) => app.emit('authorize-progress', progress));
  // A fix chosen in the tray menu: the credential, with the dialog that fixes it.
  const openAt = (place) => {
    if (place?.view !== 'credential' || !app.get(place.id)) return;
    app.navigate('credentials');
    app.emit('select', place.id);
    if (place.replace_secret) app.actions.setSecret(place.id, place.replace_secret);
  };
  await listen('open-at', openAt);

  performance.mark('boot-listening');
  const fromHash = () => {
    const route = location.hash.replace(/^#/, '');
    app.navigate(ROUTES.includes(route) ? route : 'credentials');
  };
  window.addEventListener('hashchange', fromHash);
  renderNav(app);
  if (app.vault.state !== 'unlocked' && !location.hash) history.replaceState(null, '', '#unlock');
  $('#view-loading').hidden = true;
  fromHash();
  openAt(info.open_at);
  $('#app').removeAttribute('aria-busy');
  // For measuring "click to usable window" from outside (WebDriver reads this entry).
  performance.mark('window-ready');
}

boot().catch((error) => {
  console.error(error);
  const loading = $('#view-loading');
  loading.hidden = false;
  replace(loading, h('div', { class: 'empty-state', role: 'alert' },
    icon('alert', 'empty-icon'),
    h('h1', { text: 'The settings window could not start' }),
    h('p', { text: errorText(error) }),
    h('p', { class: 'muted', text: 'Close the window and open it again from the tray. If it keeps happening, the tray app\u2019s log says more.' })));
});
