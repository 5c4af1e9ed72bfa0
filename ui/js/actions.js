// What the window's buttons do: each is one request to the backend, with a dialog where a person
// must say more (a secret, a confirmation) and a toast or live-region message for the result.

import { api } from './api.js';
import { h, icon, toast, announce, replace, append, copyText } from './dom.js';
import { openDialog, confirmDialog, field, setFieldMessage, submitOnEnter } from './dialogs.js';
import { errorText } from './lib/errors.js';
import { validateSecret, validatePersonalExpiry } from './lib/validate.js';
import { relative, dateTime, span } from './lib/time.js';
import { openCredentialForm } from './views/credentialForm.js';

export function createActions(app) {
  /** Runs a request with its button disabled and marked busy; reports errors as a toast. */
  async function busy(buttonEl, work) {
    if (buttonEl) {
      buttonEl.disabled = true;
      buttonEl.setAttribute('aria-busy', 'true');
    }
    try {
      return await work();
    } finally {
      if (buttonEl && buttonEl.isConnected) {
        buttonEl.disabled = false;
        buttonEl.removeAttribute('aria-busy');
      }
    }
  }

  function fail(error, what) {
    toast(`${what}: ${errorText(error)}`, { tone: 'error' });
    if (error?.kind === 'locked') app.navigate('unlock');
  }

  const actions = {
    async refresh(id, buttonEl) {
      const name = app.nameOf(id);
      announce(`Refreshing \u201c${name}\u201d\u2026`);
      await busy(buttonEl, async () => {
        try {
          const view = await api.refresh(id);
          const left = view.access_expires_at ? ` The access token is good ${relative(view.access_expires_at, app.now())}.` : '';
          toast(`Refreshed \u201c${name}\u201d.${left}`, { tone: 'success' });
        } catch (error) {
          fail(error, `Could not refresh \u201c${name}\u201d`);
        }
      });
    },

    async check(id, buttonEl) {
      const name = app.nameOf(id);
      await busy(buttonEl, async () => {
        try {
          const r = await api.check(id);
          const tracking = r.tracking_id ? ` (trackingId ${r.tracking_id})` : '';
          if (r.works) toast(`Webex accepts the token of \u201c${name}\u201d${r.who ? `: ${r.who}` : ''}.`, { tone: 'success' });
          else toast(`Webex refused the token of \u201c${name}\u201d with HTTP ${r.http_status}${tracking}.`, { tone: 'error' });
        } catch (error) {
          fail(error, `Could not check \u201c${name}\u201d`);
        }
      });
    },

    async copyToken(id, format, buttonEl) {
      const name = app.nameOf(id);
      await busy(buttonEl, async () => {
        try {
          const r = await api.copyToken(id, format);
          const what = format === 'header' ? 'Authorization header' : 'Access token';
          const clears = r.clears_in_secs ? ` The clipboard clears in ${span(r.clears_in_secs * 1000)}.` : '';
          toast(`${what} of \u201c${name}\u201d copied.${clears}`, { tone: 'success' });
        } catch (error) {
          fail(error, `Could not copy a token of \u201c${name}\u201d`);
        }
      });
    },

    async revoke(id) {
      const name = app.nameOf(id);
      const ok = await confirmDialog({
        title: 'Revoke tokens?',
        message: `Webex will stop accepting the tokens of \u201c${name}\u201d, and they are forgotten here.`,
        detail: 'The client secret stays, so you can authorize again later. Scripts using these tokens stop working.',
        confirmLabel: 'Revoke tokens',
        danger: true,
      });
      if (!ok) return;
      try {
        await api.revoke(id);
        toast(`Revoked the tokens of \u201c${name}\u201d.`, { tone: 'success' });
      } catch (error) {
        fail(error, `Could not revoke \u201c${name}\u201d`);
      }
    },

    async remove(id) {
      const name = app.nameOf(id);
      let dependents = [];
      try {
        dependents = (await api.getCredential(id)).dependents ?? [];
      } catch {
        // The removal itself reports a real problem.
      }
      const ok = await confirmDialog({
        title: `Remove \u201c${name}\u201d?`,
        message: dependents.length
          ? `\u201c${name}\u201d mints the tokens of ${dependents.map((d) => `\u201c${d.name}\u201d`).join(', ')}. Removed, those service apps cannot get new tokens.`
          : `Its settings and stored secrets are deleted from this computer. This cannot be undone.`,
        detail: 'Nothing changes at Webex: revoke the tokens first if they should stop working.',
        confirmLabel: dependents.length ? 'Remove anyway' : 'Remove',
        danger: true,
      });
      if (!ok) return;
      try {
        await api.remove(id, dependents.length > 0);
        toast(`Removed \u201c${name}\u201d.`, { tone: 'success' });
        app.emit('removed', id);
      } catch (error) {
        fail(error, `Could not remove \u201c${name}\u201d`);
      }
    },

    setSecret(id, which) {
      const c = app.get(id);
      const personal = which === 'personal-token';
      const what = personal ? 'personal access token' : 'client secret';
      return openDialog({
        title: personal ? 'Paste a new personal access token' : 'Replace the client secret',
        description: personal
          ? `For \u201c${c?.name ?? id}\u201d. Copy a new token at developer.webex.com; it lasts 12 hours.`
          : `For \u201c${c?.name ?? id}\u201d. Copy the current secret from the app\u2019s page at developer.webex.com (regenerating it there invalidates the old one).`,
        build: (close, dialog) => {
          const input = h('input', { type: 'password', class: 'input', autocomplete: 'off', spellcheck: 'false', required: true });
          const expires = personal ? h('input', { type: 'datetime-local', class: 'input' }) : null;
          const save = h('button', { type: 'button', class: 'btn btn-primary', text: personal ? 'Save token' : 'Save secret', on: { click: () => form.requestSubmit() } });
          const where = h('button', { type: 'button', class: 'btn btn-link btn-inline', on: { click: () => actions.openLink(personal ? 'personal-token' : 'developer-portal') } },
            icon('external'), h('span', { text: 'Open developer.webex.com' }));
          const form = h('form', { class: 'form', novalidate: true },
            h('p', { class: 'field-hint' }, where),
            field({ id: 'secret-value', label: personal ? 'Personal access token' : 'Client secret', control: input, hint: 'Stored in the vault; never shown again.' }),
            personal ? field({ id: 'secret-expires', label: 'Expires', optional: true, control: expires, hint: 'Leave empty for 12 hours from now.' }) : null);
          const validate = () => {
            const r = validateSecret(input.value, what);
            setFieldMessage(form, 'secret-value', r.error && input.value ? r : {});
            const e = personal ? validatePersonalExpiry(expires.value, app.now()) : {};
            if (personal) setFieldMessage(form, 'secret-expires', e);
            return !r.error && !e.error ? { value: r.value, expires: e.value } : null;
          };
          input.addEventListener('input', validate);
          expires?.addEventListener('input', validate);
          submitOnEnter(form);
          form.addEventListener('submit', async (event) => {
            event.preventDefault();
            const ok = validate();
            if (!ok) {
              setFieldMessage(form, 'secret-value', validateSecret(input.value, what));
              input.focus();
              return;
            }
            await busy(save, async () => {
              try {
                await api.setSecret(id, which, ok.value, ok.expires ?? undefined);
                input.value = '';
                toast(personal ? `Saved the new token of \u201c${c?.name}\u201d.` : `Replaced the client secret of \u201c${c?.name}\u201d.`, { tone: 'success' });
                close(true);
              } catch (error) {
                setFieldMessage(form, 'secret-value', { error: errorText(error) });
                input.focus();
              }
            });
          });
          dialog.addEventListener('close', () => { input.value = ''; });
          return {
            body: form,
            actions: [
              h('button', { type: 'button', class: 'btn btn-secondary', text: 'Cancel', on: { click: () => { input.value = ''; close(); } } }),
              save,
            ],
          };
        },
      });
    },

    authorize(id, method = 'browser') {
      return openAuthorizeDialog(app, id, method);
    },

    add(kind) {
      return openCredentialForm(app, { mode: 'add', kind });
    },

    edit(id, focus) {
      return openCredentialForm(app, { mode: 'edit', id, focus });
    },

    async openLink(target) {
      try {
        await api.openLink(target);
      } catch (error) {
        fail(error, 'Could not open the browser');
      }
    },

    /** Does what a remedy button says (see lib/remedy.js). */
    runRemedy(button, buttonEl) {
      switch (button.action) {
        case 'authorize':
          return actions.authorize(button.target, 'browser');
        case 'set-secret':
          return actions.setSecret(button.target, button.which);
        case 'open-control-hub':
          return actions.openLink('control-hub');
        case 'edit':
          return actions.edit(button.target, button.focus);
        case 'unlock':
          return app.navigate('unlock');
        default:
          return buttonEl;
      }
    },
  };
  return actions;
}

const STEPS = {
  browser: [
    ['start', 'Opening the browser'],
    ['waiting-redirect', 'Waiting for you to approve access in the browser'],
    ['exchanging', 'Getting tokens from Webex'],
    ['done', 'Authorized'],
  ],
  device: [
    ['start', 'Asking Webex for a code'],
    ['device-code', 'Waiting for you to enter the code'],
    ['exchanging', 'Getting tokens from Webex'],
    ['done', 'Authorized'],
  ],
};

/** The authorize dialog: starts the flow, shows each phase as the backend reports it. */
function openAuthorizeDialog(app, id, initialMethod) {
  const name = app.nameOf(id);
  let session = null;
  let early = [];
  let finished = false;
  let method = initialMethod;
  let unsubscribe = () => {};
  return openDialog({
    title: `Authorize \u201c${name}\u201d`,
    className: 'dialog-authorize',
    onDismiss: () => {
      if (session && !finished) api.authorizeCancel(session).catch(() => {});
      unsubscribe();
    },
    build: (close) => {
      const steps = h('ol', { class: 'steps' });
      const message = h('p', { class: 'authorize-message', role: 'status', aria: { live: 'polite' } });
      const extra = h('div', { class: 'authorize-extra' });
      const actionsHost = h('div', { class: 'authorize-actions' });
      const primary = h('button', { type: 'button', class: 'btn btn-secondary', text: 'Cancel' });
      primary.addEventListener('click', () => {
        if (session && !finished) api.authorizeCancel(session).catch(() => {});
        unsubscribe();
        close(finished);
      });

      const renderSteps = (phase, failed) => {
        const list = STEPS[method];
        const index = Math.max(0, list.findIndex(([p]) => p === phase));
        replace(steps, list.map(([, label], i) => {
          const state = failed && i === index ? 'failed' : i < index || phase === 'done' ? 'done' : i === index ? 'current' : 'todo';
          return h('li', { class: ['step', `step-${state}`], aria: { current: state === 'current' ? 'step' : null } },
            h('span', { class: 'step-mark' }, state === 'done' ? icon('check') : state === 'failed' ? icon('x') : null),
            h('span', { class: 'step-label', text: label }));
        }));
      };

      const start = async () => {
        finished = false;
        renderSteps('start');
        replace(extra);
        replace(actionsHost);
        message.textContent = method === 'device' ? 'Asking Webex for a device code\u2026' : 'Opening your browser\u2026';
        primary.textContent = 'Cancel';
        try {
          early = [];
          ({ session } = await api.authorize(id, method));
          // Progress sent before the answer arrived (a device code is ready at once).
          for (const p of early.splice(0)) onProgress(p);
        } catch (error) {
          finished = true;
          renderSteps('start', true);
          message.textContent = errorText(error);
          primary.textContent = 'Close';
          if (error.kind === 'port-busy') {
            actionsHost.append(h('button', { type: 'button', class: 'btn btn-secondary', text: 'Change the redirect port\u2026', on: { click: () => { close(false); app.actions.edit(id, 'port'); } } }));
          }
          if (method === 'browser') actionsHost.append(switchButton());
        }
      };

      const switchButton = () => h('button', {
        type: 'button', class: 'btn btn-link',
        text: method === 'browser' ? 'Use a device code instead' : 'Use the browser instead',
        on: {
          click: async () => {
            if (session && !finished) await api.authorizeCancel(session).catch(() => {});
            session = null;
            method = method === 'browser' ? 'device' : 'browser';
            start();
          },
        },
      });

      const onProgress = (p) => {
        if (!session) {
          early.push(p);
          return;
        }
        if (p.session !== session) return;
        message.textContent = p.message ?? '';
        replace(extra);
        replace(actionsHost);
        switch (p.phase) {
          case 'waiting-redirect':
            renderSteps('waiting-redirect');
            extra.append(h('p', { class: 'muted', text: p.browser_opened === false
              ? 'The browser did not open by itself. Open it again, or copy the link into a browser on this computer.'
              : 'Sign in to Webex in the browser window and approve access. This dialog updates when the browser comes back.' }));
            actionsHost.append(
              h('button', { type: 'button', class: 'btn btn-secondary', text: 'Open the browser again', on: { click: () => api.authorizeOpenAgain(session).catch((e) => toast(errorText(e), { tone: 'error' })) } }),
              h('button', { type: 'button', class: 'btn btn-secondary', text: 'Copy link', on: {
                click: async () => {
                  try {
                    const r = await api.authorizeCopyUrl(session);
                    toast(`Link copied${r.clears_in_secs ? `; the clipboard clears in ${span(r.clears_in_secs * 1000)}` : ''}.`, { tone: 'success' });
                  } catch (e) {
                    toast(errorText(e), { tone: 'error' });
                  }
                },
              } }),
              switchButton());
            break;
          case 'device-code': {
            renderSteps('device-code');
            // The code and where to enter it are laid out below; the CLI's sentence would repeat them.
            message.textContent = '';
            const code = h('output', { class: 'device-code', text: p.user_code, aria: { label: `Code ${p.user_code.split('').join(' ')}` } });
            append(extra, [
              h('p', {}, 'On any device, open ', h('strong', { class: 'selectable', text: p.verification_uri }), ' and enter this code:'),
              h('div', { class: 'device-code-row' }, code,
                h('button', { type: 'button', class: 'btn btn-secondary', on: { click: () => copyText(p.user_code, 'Code') } }, icon('copy'), h('span', { text: 'Copy code' }))),
              p.expires_at ? h('p', { class: 'muted', text: `The code works until ${dateTime(p.expires_at)}.` }) : null]);
            actionsHost.append(switchButton());
            break;
          }
          case 'exchanging':
            renderSteps('exchanging');
            break;
          case 'done':
            finished = true;
            renderSteps('done');
            extra.append(h('p', { class: 'success-line' }, icon('check'), h('span', { text: `\u201c${name}\u201d is authorized. Its tokens are stored and will be refreshed before they end.` })));
            primary.textContent = 'Done';
            primary.className = 'btn btn-primary';
            primary.focus();
            unsubscribe();
            break;
          case 'failed':
            finished = true;
            renderSteps(STEPS[method].some(([ph]) => ph === 'exchanging') ? 'exchanging' : 'start', true);
            message.textContent = p.error ? errorText(p.error) : p.message;
            primary.textContent = 'Close';
            actionsHost.append(h('button', { type: 'button', class: 'btn btn-primary', text: 'Try again', on: { click: () => start() } }), switchButton());
            break;
          case 'cancelled':
            finished = true;
            break;
          default:
            break;
        }
      };
      unsubscribe = app.on('authorize-progress', onProgress);
      start();
      return {
        body: [steps, message, extra, actionsHost],
        actions: [primary],
      };
    },
    initialFocus: (d) => d.querySelector('.dialog-actions .btn'),
  });
}
