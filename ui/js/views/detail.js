// One credential in detail: what needs doing (the remedy as a button), the actions, its tokens'
// ends as live countdowns, the last attempt with its trackingId, and its settings.

import { api } from '../api.js';
import { h, icon, replace, button, copyText } from '../dom.js';
import { countdown, dateTime, ago } from '../lib/time.js';
import { KIND_LABEL, HEALTH_LABEL, effectiveHealth } from '../lib/listing.js';
import { remedyFor, remedyButton, attentionText } from '../lib/remedy.js';
import { ACTION_NOUN, RESULT_SHORT } from '../lib/audit.js';
import { errorText } from '../lib/errors.js';
import { healthPill } from './list.js';

export function createDetail({ app, onClose }) {
  const el = h('aside', { class: 'detail', aria: { label: 'Credential details' }, tabindex: -1 });
  let current = null;
  let detail = null;
  let detailFor = null;
  let countdowns = [];

  const placeholder = () => replace(el, h('div', { class: 'detail-placeholder' },
    icon('key', 'empty-icon'),
    h('p', { text: 'Select a credential to see its tokens and what you can do with it.' }),
    h('p', { class: 'muted', text: 'Arrow keys move through the list; Enter comes here.' })));

  async function loadDetail(id) {
    try {
      const d = await api.getCredential(id);
      if (current?.id === id) {
        detail = d;
        detailFor = id;
        render();
      }
    } catch (error) {
      if (current?.id === id) {
        detail = { error: errorText(error) };
        detailFor = id;
        render();
      }
    }
  }

  function row(label, value, extra) {
    return [h('dt', { text: label }), h('dd', {}, value, extra ?? null)];
  }

  function copyable(text, what, mono = true) {
    return h('span', { class: 'copyable' },
      h('span', { class: ['selectable', mono && 'mono', 'truncate'], text, title: text }),
      h('button', { type: 'button', class: 'btn-icon', aria: { label: `Copy ${what.toLowerCase()}` }, on: { click: () => copyText(text, what) } }, icon('copy')));
  }

  function countdownRow(label, at) {
    const now = app.now();
    const cd = countdown(at, now);
    const text = h('span', { class: ['countdown', `tone-${cd.tone}`], text: cd.text });
    countdowns.push({ at, text });
    return row(label, text, at ? h('span', { class: 'muted detail-abs', text: dateTime(at) }) : h('span', { class: 'muted detail-abs', text: 'learned at the next refresh' }));
  }

  function attentionCard(c) {
    const remedy = remedyFor(c);
    const sentence = attentionText(c);
    if (!remedy && !sentence) return null;
    const b = remedy ? remedyButton(remedy, c) : null;
    const card = h('section', { class: 'card card-attention', aria: { label: 'Needs attention' } },
      h('div', { class: 'card-head' }, icon('alert'), h('h3', { text: 'Needs attention' })),
      h('p', { text: sentence }));
    if (b && b.target !== c.id && app.get(b.target)) {
      card.append(h('p', { class: 'small' }, 'Its bearer: ',
        h('button', { type: 'button', class: 'btn btn-link btn-inline', text: app.nameOf(b.target), on: { click: () => app.emit('select', b.target) } })));
    }
    if (b) {
      const btn = button(b.label, { kind: 'primary', icon: b.action === 'authorize' ? 'globe' : b.action === 'unlock' ? 'lock' : b.action === 'open-control-hub' ? 'external' : b.action === 'edit' ? 'edit' : 'key', on: (e) => app.actions.runRemedy(b, e.currentTarget) });
      btn.setAttribute('aria-describedby', 'remedy-hint');
      card.append(h('div', { class: 'card-actions' }, btn,
        b.action === 'open-control-hub' ? button('Check again', { icon: 'refresh', on: (e) => app.actions.refresh(c.id, e.currentTarget) }) : null),
      h('p', { class: 'muted small', id: 'remedy-hint', text: b.hint }));
      if (b.action === 'open-control-hub' && detail && !detail.error) {
        card.append(h('dl', { class: 'facts facts-compact' },
          row('Org ID', copyable(b.orgId ?? detail.target_org_id ?? '', 'Org ID')),
          detail.app_id ? row('App ID', copyable(detail.app_id, 'App ID')) : null));
      }
    }
    if (c.attention?.message) {
      card.append(h('details', { class: 'engine-message' }, h('summary', { text: 'What the engine said' }), h('p', { class: 'mono small selectable', text: c.attention.message })));
    }
    return card;
  }

  function interruptedCard(c) {
    if (!c.interrupted) return null;
    const i = c.interrupted;
    return h('section', { class: 'card card-warning', aria: { label: 'Interrupted refresh' } },
      h('div', { class: 'card-head' }, icon('info'), h('h3', { text: 'A refresh was interrupted' })),
      h('p', { text: `A ${i.action} started ${dateTime(i.started_at)} by process ${i.pid} ended before its answer was stored. If Webex rotated the refresh token then, the stored one no longer works; the next refresh tells.` }));
  }

  function actionsBar(c) {
    const main = [];
    if (c.kind === 'integration') {
      main.push(button(c.access_expires_at || c.refresh_expires_at ? 'Authorize again' : 'Authorize', { icon: 'globe', on: () => app.actions.authorize(c.id, 'browser') }));
    }
    if (c.kind !== 'personal') main.push(button('Refresh now', { icon: 'refresh', on: (e) => app.actions.refresh(c.id, e.currentTarget) }));
    main.push(button('Check with Webex', { icon: 'check', on: (e) => app.actions.check(c.id, e.currentTarget) }));
    const copy = [
      button('Copy token', { icon: 'copy', on: (e) => app.actions.copyToken(c.id, 'plain', e.currentTarget) }),
      button('Copy as header', { icon: 'copy', on: (e) => app.actions.copyToken(c.id, 'header', e.currentTarget), title: 'Copies "Authorization: Bearer \u2026"' }),
    ];
    const bar = h('div', { class: 'detail-actions', role: 'group', aria: { label: 'Actions' } }, main, copy);
    if (c.kind === 'integration') {
      bar.append(h('button', { type: 'button', class: 'btn btn-link', on: { click: () => app.actions.authorize(c.id, 'device') } }, icon('device'), h('span', { text: 'Authorize with a device code' })));
    }
    return bar;
  }

  function lastAttempt(c) {
    const a = c.last_attempt;
    if (!a) return h('p', { class: 'muted', text: 'Nothing has been tried yet.' });
    const tone = a.outcome === 'ok' ? 'ok' : a.outcome === 'transient' ? 'warning' : 'error';
    return h('dl', { class: 'facts' },
      row('What', h('span', { text: `${ACTION_NOUN[a.action] ?? a.action}` }), h('span', { class: ['result', `tone-${tone}`], text: RESULT_SHORT[a.outcome] ?? a.outcome })),
      row('When', h('span', { text: ago(a.at, app.now()) }), h('span', { class: 'muted detail-abs', text: dateTime(a.at) })),
      a.http_status ? row('HTTP status', h('span', { class: 'mono', text: String(a.http_status) })) : null,
      a.message ? row('Message', h('span', { class: 'selectable', text: a.message })) : null,
      a.tracking_id ? row('trackingId', copyable(a.tracking_id, 'trackingId')) : null,
      c.retry_not_before ? row('Next try', h('span', { text: countdown(c.retry_not_before, app.now()).text })) : null);
  }

  function settings(c) {
    if (!detail || detailFor !== c.id) return h('p', { class: 'muted', text: 'Loading settings\u2026' });
    if (detail.error) return h('p', { class: 'tone-error', text: detail.error });
    const d = detail;
    const bearer = d.bearer ? app.get(d.bearer) : null;
    return h('dl', { class: 'facts' },
      d.client_id ? row('Client ID', copyable(d.client_id, 'Client ID')) : null,
      d.scopes ? row('Scopes', h('span', { class: 'chips' }, d.scopes.map((sc) => h('span', { class: 'chip mono', text: sc })))) : null,
      d.redirect_uri ? row('Redirect URI', copyable(d.redirect_uri, 'Redirect URI')) : null,
      d.target_org_id ? row('Target org', copyable(d.target_org_id, 'Org ID')) : null,
      d.app_id ? row('App ID', copyable(d.app_id, 'App ID')) : null,
      d.bearer ? row('Minted by', bearer
        ? h('button', { type: 'button', class: 'btn btn-link btn-inline', text: bearer.name, on: { click: () => app.emit('select', bearer.id) } })
        : h('span', { class: 'tone-error', text: `${d.bearer} (missing)` })) : null,
      d.dependents?.length ? row('Mints for', h('span', { class: 'chips' }, d.dependents.map((x) => h('button', { type: 'button', class: 'chip chip-button', text: x.name, on: { click: () => app.emit('select', x.id) } })))) : null,
      row('API base', h('span', { class: 'mono', text: d.api_base ?? 'default' })),
      row('Secrets', h('span', { text: [
        d.kind !== 'personal' ? `client secret ${d.secrets.client_secret ? 'stored' : 'missing'}` : `token ${d.secrets.access_token ? 'stored' : 'missing'}`,
        d.kind === 'integration' ? `refresh token ${d.secrets.refresh_token ? 'stored' : 'none'}` : null,
      ].filter(Boolean).join(', ') })),
      row('Created', h('span', { text: dateTime(d.created_at) })),
      row('ID', copyable(d.id, 'ID')));
  }

  function render() {
    countdowns = [];
    const c = current;
    if (!c) {
      placeholder();
      return;
    }
    const health = effectiveHealth(c);
    replace(el,
      h('header', { class: 'detail-header' },
        h('div', { class: 'detail-title' },
          h('h2', { id: 'detail-title', text: c.name }),
          h('p', { class: 'muted' }, [KIND_LABEL[c.kind], c.label].filter(Boolean).join(' \u00b7 '))),
        healthPill(c),
        h('button', { type: 'button', class: 'btn-icon detail-close', aria: { label: 'Close details' }, on: { click: onClose } }, icon('x'))),
      h('div', { class: 'detail-body' },
        health === 'needs-attention' ? attentionCard(c) : null,
        interruptedCard(c),
        actionsBar(c),
        h('section', { class: 'detail-section', aria: { labelledby: 'd-tokens' } },
          h('h3', { id: 'd-tokens', text: 'Tokens' }),
          h('dl', { class: 'facts' },
            countdownRow(c.kind === 'personal' ? 'Token ends' : 'Access token ends', c.access_expires_at),
            c.kind !== 'personal' ? countdownRow('Refresh token ends', c.refresh_expires_at) : null,
            row('Obtained', h('span', { text: c.obtained_at ? ago(c.obtained_at, app.now()) : '\u2014' }), c.obtained_at ? h('span', { class: 'muted detail-abs', text: dateTime(c.obtained_at) }) : null))),
        h('section', { class: 'detail-section', aria: { labelledby: 'd-last' } },
          h('h3', { id: 'd-last', text: 'Last attempt' }),
          lastAttempt(c)),
        h('section', { class: 'detail-section', aria: { labelledby: 'd-settings' } },
          h('h3', { id: 'd-settings', text: 'Settings' }),
          settings(c)),
        h('footer', { class: 'detail-footer' },
          button('Edit\u2026', { icon: 'edit', on: () => app.actions.edit(c.id) }),
          c.kind !== 'personal' ? button('Revoke tokens\u2026', { icon: 'revoke', kind: 'danger-quiet', on: () => app.actions.revoke(c.id) }) : null,
          button('Remove\u2026', { icon: 'trash', kind: 'danger-quiet', on: () => app.actions.remove(c.id) }))));
    el.setAttribute('aria-label', `Details of ${c.name}, ${HEALTH_LABEL[health]}`);
  }

  placeholder();

  return {
    el,
    show(c) {
      const changedId = c?.id !== current?.id;
      // Which secrets are stored changes with the tokens (authorized, revoked, replaced): the
      // settings shown are read again then, not kept from when the credential was selected.
      const tokensChanged = !changedId && c && current
        && (c.obtained_at !== current.obtained_at || c.access_expires_at !== current.access_expires_at
          || c.refresh_expires_at !== current.refresh_expires_at || c.stored !== current.stored);
      const keepFocus = el.contains(document.activeElement) && !changedId ? document.activeElement : null;
      const focusKey = keepFocus?.textContent;
      current = c ?? null;
      if (changedId) {
        detail = null;
        detailFor = null;
      }
      render();
      if (c && (changedId || !detail || tokensChanged)) loadDetail(c.id);
      // Re-rendering replaced the focused button; put focus back on its twin.
      if (keepFocus && focusKey) {
        const twin = [...el.querySelectorAll('button')].find((b) => b.textContent === focusKey);
        twin?.focus();
      }
    },
    refreshSettings() {
      if (current) loadDetail(current.id);
    },
    tick() {
      const now = app.now();
      for (const { at, text } of countdowns) {
        const cd = countdown(at, now);
        if (text.textContent !== cd.text) {
          text.textContent = cd.text;
          text.className = `countdown tone-${cd.tone}`;
        }
      }
    },
    focusFirst() {
      const target = el.querySelector('.card-attention .btn, .detail-actions .btn') ?? el;
      target.focus();
    },
    get currentId() {
      return current?.id ?? null;
    },
  };
}
