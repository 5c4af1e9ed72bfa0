// Modal dialogs on the native <dialog> element: it traps focus, Escape closes it (the "cancel"
// event), and focus goes back to what opened it.

import { h, icon, nextId, append } from './dom.js';

/**
 * Opens a modal. `build(close)` returns { body, actions } nodes. Resolves with the value passed to
 * close(value), or undefined when dismissed (Escape or a Cancel button calling close()).
 */
export function openDialog({ title, description, build, className, onDismiss, initialFocus }) {
  const opener = document.activeElement;
  const titleId = nextId('dlg-title');
  const descId = description ? nextId('dlg-desc') : null;
  const dialog = h('dialog', { class: ['dialog', className], aria: { labelledby: titleId, describedby: descId } });
  let settled = false;
  let resolvePromise;
  const promise = new Promise((resolve) => { resolvePromise = resolve; });
  const close = (value) => {
    if (settled) return;
    settled = true;
    dialog.close();
    dialog.remove();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    resolvePromise(value);
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (onDismiss) onDismiss();
    close(undefined);
  });
  const { body, actions } = build(close, dialog);
  append(dialog, [
    h('header', { class: 'dialog-header' },
      h('h2', { id: titleId, class: 'dialog-title', text: title }),
      h('button', { type: 'button', class: 'btn-icon dialog-close', aria: { label: 'Close' }, on: { click: () => { if (onDismiss) onDismiss(); close(undefined); } } }, icon('x'))),
    description ? h('p', { id: descId, class: 'dialog-description', text: description }) : null,
    h('div', { class: 'dialog-body' }, body),
    actions ? h('footer', { class: 'dialog-actions' }, actions) : null,
  ]);
  document.body.append(dialog);
  dialog.showModal();
  const focusTarget = typeof initialFocus === 'function' ? initialFocus(dialog) : dialog.querySelector('[autofocus], input:not([type=hidden]), select, textarea, .btn-primary');
  if (focusTarget) focusTarget.focus();
  return promise;
}

/** A yes/no question. Resolves true when confirmed. */
export function confirmDialog({ title, message, detail, confirmLabel, danger = false }) {
  return openDialog({
    title,
    className: 'dialog-confirm',
    build: (close) => ({
      body: [
        h('div', { class: 'confirm-body' },
          h('span', { class: ['confirm-icon', danger ? 'tone-danger' : 'tone-info'] }, icon(danger ? 'alert' : 'info')),
          h('div', {}, h('p', { text: message }), detail ? h('p', { class: 'muted', text: detail }) : null)),
      ],
      actions: [
        h('button', { type: 'button', class: 'btn btn-secondary', text: 'Cancel', on: { click: () => close(false) } }),
        h('button', { type: 'button', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], text: confirmLabel, on: { click: () => close(true) } }),
      ],
    }),
    initialFocus: (d) => d.querySelector('.btn-secondary'),
  }).then((v) => v === true);
}

/** A labelled form field: label, control, hint and a message line the validators fill. */
export function field({ id, label, control, hint, optional = false, wide = false }) {
  const hintId = hint ? `${id}-hint` : null;
  const msgId = `${id}-msg`;
  control.id = id;
  const describedBy = [hintId, msgId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  return h('div', { class: ['field', wide && 'field-wide'], dataset: { field: id } },
    h('label', { for: id, class: 'field-label' }, label, optional ? h('span', { class: 'optional', text: ' (optional)' }) : null),
    control,
    hint ? h('p', { id: hintId, class: 'field-hint' }, hint) : null,
    h('p', { id: msgId, class: 'field-msg', aria: { live: 'polite' } }));
}

/** Shows a validation result on a field made by `field()`. */
export function setFieldMessage(root, id, { error, warning, note } = {}) {
  const control = root.querySelector(`#${CSS.escape(id)}`);
  const msg = root.querySelector(`#${CSS.escape(id)}-msg`);
  if (!control || !msg) return;
  const text = error ?? warning ?? note ?? '';
  msg.textContent = text;
  msg.className = `field-msg${error ? ' is-error' : warning ? ' is-warning' : note ? ' is-note' : ''}`;
  if (error) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/** Enter in a text field submits its form, also in forms whose submit button is in the dialog footer. */
export function submitOnEnter(form) {
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target instanceof HTMLInputElement && !['checkbox', 'radio', 'button'].includes(event.target.type)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
