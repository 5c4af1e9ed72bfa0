// Small DOM helpers. Text always goes in through textContent (never innerHTML), so a credential
// named "<img onerror=…>" stays a name; styles only through the CSSOM, as the CSP requires.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', { class: 'primary', type: 'button', on: { click } , dataset: {id}}, 'Save')
 * Props: class, text, on, dataset, aria (object of aria-* without the prefix), and attributes.
 * Boolean true sets an empty attribute, false/null/undefined leaves it out.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

export function s(tag, props = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'text') el.textContent = value;
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'aria') for (const [name, v] of Object.entries(value)) { if (v !== undefined && v !== null && v !== false) el.setAttribute(`aria-${name}`, String(v)); }
    else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

let uid = 0;
export function nextId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// Icons: 16×16 strokes drawn in currentColor, hidden from screen readers (their buttons are labelled).
const ICONS = {
  key: 'M10.5 2.5a3 3 0 1 1-2.6 4.5L3 11.9V13.5h2v-1.5h1.5v-1.5H8l.9-.9A3 3 0 0 1 10.5 2.5z M11 5h.01',
  plus: 'M8 3v10M3 8h10',
  import: 'M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13.5h10',
  list: 'M5.5 4h8M5.5 8h8M5.5 12h8M2.5 4h.01M2.5 8h.01M2.5 12h.01',
  log: 'M4 2.5h6l2.5 2.5v8.5H4zM6 7h4.5M6 9.5h4.5M6 12h3',
  gear: 'M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4',
  lock: 'M4 7.5h8v6H4zM5.5 7.5V5a2.5 2.5 0 0 1 5 0v2.5',
  unlock: 'M4 7.5h8v6H4zM5.5 7.5V5a2.5 2.5 0 0 1 4.9-.7',
  check: 'M3 8.5 6.5 12 13 4.5',
  alert: 'M8 2 14.5 13.5h-13zM8 6.5v3M8 11.5h.01',
  info: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM8 7v4.5M8 4.8h.01',
  refresh: 'M13 3v3.5H9.5M3 13V9.5h3.5M12.6 6.5A5 5 0 0 0 3.7 5M3.4 9.5a5 5 0 0 0 8.9 1.5',
  copy: 'M5.5 5.5h7.5v8H5.5zM3 10.5V2.5h7.5',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9',
  search: 'M7 2.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10.3 10.3 13.5 13.5',
  x: 'M4 4l8 8M12 4l-8 8',
  external: 'M9.5 2.5h4v4M13.5 2.5 7.5 8.5M11.5 9.5v4h-9v-9h4',
  globe: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM1.5 8h13M8 1.5c2 2 2 11 0 13M8 1.5c-2 2-2 11 0 13',
  device: 'M4.5 1.5h7v13h-7zM7 12.5h2',
  shield: 'M8 1.5 13.5 3.5V8c0 3-2.5 5.5-5.5 6.5C5 13.5 2.5 11 2.5 8V3.5z',
  clock: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM8 4.5V8l2.5 1.5',
  chevronDown: 'M4 6l4 4 4-4',
  chevronRight: 'M6 4l4 4-4 4',
  arrowUp: 'M8 13V3M4 7l4-4 4 4',
  arrowDown: 'M8 3v10M4 9l4 4 4-4',
  edit: 'M10.5 2.5l3 3-8 8h-3v-3z',
  revoke: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM3.4 3.4l9.2 9.2',
  timeline: 'M2 12.5h12M4 12.5V9M7 12.5V5M10 12.5V7.5M13 12.5V10',
  file: 'M4 1.5h5.5L12.5 4.5v10H4zM9.5 1.5v3h3',
  skip: 'M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM5 8h6',
  link: 'M6.5 9.5l3-3M7 4.5l1-1a2.5 2.5 0 0 1 3.5 3.5l-1 1M9 11.5l-1 1a2.5 2.5 0 0 1-3.5-3.5l1-1',
};

export function icon(name, extraClass) {
  const path = ICONS[name];
  return s('svg', { class: ['icon', extraClass], viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' },
    s('path', { d: path, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));
}

/** A button with an icon and a visible label. */
export function button(label, { icon: iconName, kind = 'secondary', on, ...rest } = {}) {
  return h('button', { type: 'button', class: ['btn', `btn-${kind}`, rest.class], on: on ? { click: on } : undefined, ...omit(rest, ['class']) },
    iconName ? icon(iconName) : null, h('span', { text: label }));
}

function omit(obj, keys) {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

// Announcements for screen readers: polite for progress and results, assertive for errors.
export function announce(text, { assertive = false } = {}) {
  const region = document.getElementById(assertive ? 'sr-alert' : 'sr-status');
  if (!region) return;
  // Clearing first makes a repeated message be read again.
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 30);
}

/** A transient message at the bottom of the window, also announced. */
export function toast(text, { tone = 'info', timeout = 4200 } = {}) {
  const host = document.getElementById('toasts');
  const el = h('div', { class: ['toast', `toast-${tone}`] }, icon(tone === 'error' ? 'alert' : tone === 'success' ? 'check' : 'info'), h('span', { text }));
  host.append(el);
  announce(text, { assertive: tone === 'error' });
  setTimeout(() => {
    el.classList.add('toast-leaving');
    setTimeout(() => el.remove(), 250);
  }, tone === 'error' ? timeout * 1.6 : timeout);
}

/** Copies non-secret text (an id, a redirect URI) from the page itself. */
export async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied.`, { tone: 'success' });
  } catch {
    toast(`Could not copy the ${what.toLowerCase()}: select it and press Ctrl+C.`, { tone: 'error' });
  }
}
