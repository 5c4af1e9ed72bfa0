// The window with no credentials yet: add an integration or import what people already have,
// side by side, with where to register an integration and which redirect URI to give it.

import { h, icon, button, copyText } from '../dom.js';
import { dropZone } from './dropZone.js';

export function createFirstRunView(app, section) {
  let built = false;

  function build() {
    const redirect = app.info?.default_redirect_uri ?? 'http://localhost:6855/callback';
    section.append(
      h('div', { class: 'welcome' },
        h('div', { class: 'welcome-head' },
          h('span', { class: 'welcome-mark', 'aria-hidden': 'true' }),
          h('h1', { id: 'first-run-title', text: 'Keep your Webex tokens alive' }),
          h('p', { class: 'view-subtitle', text: 'Webex Token Tray holds your integrations\u2019 secrets in the system keychain, refreshes their tokens before they end, and copies a fresh one when you need it.' })),
        h('div', { class: 'welcome-cards' },
          h('section', { class: 'card welcome-card', aria: { labelledby: 'wc-add' } },
            h('div', { class: 'welcome-icon' }, icon('plus')),
            h('h2', { id: 'wc-add', text: 'Add an integration' }),
            h('ol', { class: 'welcome-steps' },
              h('li', {}, 'At ', h('strong', { text: 'developer.webex.com' }), ', open My Webex Apps \u203a Create a New App \u203a Integration.'),
              h('li', {}, 'Give it this redirect URI:',
                h('span', { class: 'redirect-uri-row' }, h('code', { class: 'selectable', text: redirect }),
                  h('button', { type: 'button', class: 'btn-icon', aria: { label: 'Copy redirect URI' }, on: { click: () => copyText(redirect, 'Redirect URI') } }, icon('copy')))),
              h('li', { text: 'Select the scopes you need, save, and paste its client ID and secret here.' })),
            h('div', { class: 'card-actions' },
              button('Add an integration', { kind: 'primary', icon: 'plus', on: () => app.actions.add('integration') }),
              button('Open developer.webex.com', { icon: 'external', on: () => app.actions.openLink('new-integration') })),
            h('p', { class: 'muted small' }, 'Service apps and personal access tokens can be added the same way.')),
          h('section', { class: 'card welcome-card', aria: { labelledby: 'wc-import' } },
            h('div', { class: 'welcome-icon' }, icon('import')),
            h('h2', { id: 'wc-import', text: 'Import files you already have' }),
            h('p', { text: 'Bring over what earlier scripts saved: nothing is stored until you have seen what each entry becomes.' }),
            h('ul', { class: 'format-list' },
              h('li', {}, h('code', { text: 'tokens_master.json' }), h('span', { class: 'muted', text: ' multi-org refresher' })),
              h('li', {}, h('code', { text: 'token-config.json' }), h('span', { class: 'muted', text: ' service-app token manager' })),
              h('li', {}, h('code', { text: '.wtr-cli.yaml' }), h('span', { class: 'muted', text: ' token retriever CLI' })),
              h('li', {}, h('code', { text: '.env' }), h('span', { class: 'muted', text: ' service-app tokens' }))),
            dropZone({
              id: 'first-run-files',
              compact: true,
              onFiles: (files) => {
                app.navigate('import');
                app.views.import.take(files);
              },
            })))));
  }

  return {
    show() {
      if (!built) {
        build();
        built = true;
      }
    },
  };
}
