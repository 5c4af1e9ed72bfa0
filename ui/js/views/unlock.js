// Unlocking the vault: a passphrase vault asks for its passphrase; a keychain that refused is
// asked again. A wrong passphrase says so, and nothing else happens.

import { api } from '../api.js';
import { h, icon, replace, announce } from '../dom.js';
import { field, setFieldMessage, submitOnEnter } from '../dialogs.js';
import { errorText } from '../lib/errors.js';

export function createUnlockView(app, section) {
  const card = h('div', { class: 'card unlock-card' });
  section.append(h('div', { class: 'unlock-wrap' }, card));

  function render() {
    const passphrase = app.vault.source === 'passphrase';
    const unlocked = app.vault.state === 'unlocked';
    if (unlocked) {
      replace(card,
        h('div', { class: 'unlock-icon tone-ok' }, icon('shield')),
        h('h1', { id: 'unlock-title', text: 'The vault is unlocked' }),
        h('p', { class: 'muted', text: passphrase ? 'Stored tokens are available until the tray app quits.' : 'The system keychain holds the vault key.' }),
        h('div', { class: 'card-actions center' }, h('a', { class: 'btn btn-primary', href: '#credentials', text: 'Show credentials' })));
      return;
    }
    const input = passphrase ? h('input', { type: 'password', class: 'input', autocomplete: 'current-password', spellcheck: 'false' }) : null;
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, icon('unlock'), h('span', { text: passphrase ? 'Unlock' : 'Try the keychain again' }));
    const formError = h('p', { class: 'form-summary', role: 'alert' });
    const form = h('form', { class: 'form unlock-form', novalidate: true },
      passphrase ? field({ id: 'unlock-passphrase', label: 'Vault passphrase', control: input }) : null,
      formError,
      submit);
    submitOnEnter(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (passphrase && !input.value) {
        setFieldMessage(form, 'unlock-passphrase', { error: 'Enter the passphrase.' });
        input.focus();
        return;
      }
      submit.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      formError.textContent = '';
      try {
        const value = passphrase ? input.value : undefined;
        // The passphrase leaves the field as soon as it is on its way: nothing keeps it in the page.
        if (input) input.value = '';
        const vault = await api.unlock(value);
        app.vault = vault;
        app.emit('vault', vault);
        announce('The vault is unlocked.');
        app.navigate('credentials');
      } catch (error) {
        if (error.kind === 'wrong-passphrase') {
          setFieldMessage(form, 'unlock-passphrase', { error: error.message });
          input.focus();
        } else {
          formError.textContent = errorText(error);
          (input ?? submit).focus();
        }
      } finally {
        if (submit.isConnected) {
          submit.disabled = false;
          submit.removeAttribute('aria-busy');
        }
      }
    });
    replace(card,
      h('div', { class: 'unlock-icon' }, icon('lock')),
      h('h1', { id: 'unlock-title', text: passphrase ? 'Unlock the vault' : 'The keychain is locked' }),
      h('p', { class: 'muted', text: passphrase
        ? 'This vault is protected by a passphrase instead of the system keychain. Tokens cannot be used or refreshed until it is unlocked.'
        : 'The vault key is kept in the system keychain, which did not hand it out. Unlock the keychain (usually with your login password), then try again.' }),
      !passphrase && app.vault.message ? h('p', { class: 'muted small', text: `The keychain said: ${app.vault.message}.` }) : null,
      form);
  }

  app.on('vault', () => { if (!section.hidden) render(); });

  return {
    show() {
      render();
      const input = section.querySelector('input');
      if (input) setTimeout(() => input.focus(), 0);
    },
  };
}
