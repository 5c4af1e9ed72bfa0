// The credentials list: a listbox that renders only the rows in view (1,000 credentials scroll as
// smoothly as ten), with countdowns that tick every second in the rows that are visible.

import { h, icon, replace } from '../dom.js';
import { windowRange, revealRow, moveIndex } from '../lib/virtual.js';
import { countdown, ago, dateTime } from '../lib/time.js';
import { HEALTH_LABEL, KIND_LABEL, effectiveHealth, lastError } from '../lib/listing.js';
import { ACTION_NOUN, ACTION_DONE } from '../lib/audit.js';

export const ROW_HEIGHT = 60;

const KIND_SHORT = { integration: 'Integration', 'service-app': 'Service app', personal: 'Personal token' };

const SHORT_HEALTH = { 'needs-attention': 'Attention', expired: 'Expired', retrying: 'Retrying', expiring: 'Expiring', unknown: 'Unknown', ok: 'OK' };

/** The state as a coloured pill; `short` for the list, where room is scarce. */
export function healthPill(c, { short = false } = {}) {
  const health = effectiveHealth(c);
  const label = c.stored === false ? 'Not stored' : (short ? SHORT_HEALTH : HEALTH_LABEL)[health] ?? health;
  return h('span', { class: ['pill', `pill-${health}`, short && 'pill-small'] }, h('span', { class: 'pill-dot', 'aria-hidden': 'true' }), h('span', { text: label }));
}

function lastLine(c, now) {
  const error = lastError(c);
  if (error) {
    const parts = [`${ACTION_NOUN[error.action] ?? error.action} failed ${ago(error.at, now)}`];
    if (error.http_status) parts.push(`HTTP ${error.http_status}`);
    if (error.tracking_id) parts.push(error.tracking_id);
    return { text: parts.join(' \u00b7 '), tone: 'error' };
  }
  const a = c.last_attempt;
  if (a) return { text: `${ACTION_DONE[a.action] ?? a.action} ${ago(a.at, now)}`, tone: 'ok' };
  return { text: 'No attempts yet', tone: 'muted' };
}

export function createList({ app, onSelect, onOpen }) {
  const header = h('div', { class: 'list-header', role: 'presentation' });
  const spacer = h('div', { class: 'list-spacer' });
  const scroller = h('div', {
    class: 'list-scroller', role: 'listbox', tabindex: 0,
    aria: { label: 'Credentials', activedescendant: null },
  }, spacer);
  const empty = h('div', { class: 'list-empty', hidden: true });
  const el = h('div', { class: 'list' }, header, scroller, empty);

  let items = [];
  let indexOf = new Map();
  let selectedId = null;
  let rendered = new Map(); // id -> { row, c, access, refresh, last }
  let frame = 0;
  let sort = { key: 'name', dir: 'asc' };
  let onSort = () => {};

  const COLUMNS = [
    ['name', 'Name'],
    ['state', 'State'],
    ['access', 'Access ends'],
    ['refresh', 'Refresh ends'],
  ];

  function sortButton([key, label]) {
    const active = sort.key === key;
    const dirWord = sort.dir === 'asc' ? 'ascending' : 'descending';
    return h('button', {
      type: 'button', class: ['col-head', active && 'is-active'],
      aria: { label: `Sort by ${label.toLowerCase()}${active ? `, sorted ${dirWord}` : ''}`, pressed: active ? 'true' : 'false' },
      on: { click: () => onSort(key) },
    }, h('span', { text: label }), active ? icon(sort.dir === 'asc' ? 'arrowUp' : 'arrowDown', 'sort-icon') : null);
  }

  function renderHeader() {
    replace(header,
      h('div', { class: 'col-main col-heads' }, sortButton(COLUMNS[0]), h('span', { class: 'col-sep', 'aria-hidden': 'true', text: '\u00b7' }), sortButton(COLUMNS[1])),
      h('div', { class: 'col-time' }, sortButton(COLUMNS[2])),
      h('div', { class: 'col-time' }, sortButton(COLUMNS[3])));
  }

  function rowLabel(c, now) {
    const a = countdown(c.access_expires_at, now);
    const r = countdown(c.refresh_expires_at, now);
    const parts = [c.name, KIND_LABEL[c.kind], c.label, c.stored === false ? 'not stored' : HEALTH_LABEL[effectiveHealth(c)],
      `access ${a.past ? a.text : a.tone === 'none' ? 'expiry unknown' : `ends ${a.text}`}`];
    if (c.kind !== 'personal') parts.push(`refresh ${r.past ? r.text : r.tone === 'none' ? 'expiry unknown' : `ends ${r.text}`}`);
    parts.push(lastLine(c, now).text);
    return parts.filter(Boolean).join(', ');
  }

  function timeCell(at, now, kind) {
    if (kind === 'personal-refresh') return h('span', { class: 'countdown tone-none', text: '\u2014', title: 'Personal access tokens have no refresh token' });
    const cd = countdown(at, now, { compact: true });
    return h('span', { class: ['countdown', `tone-${cd.tone}`], text: cd.text, title: at ? dateTime(at) : 'Unknown until the next refresh' });
  }

  function buildRow(c, index, now) {
    const last = lastLine(c, now);
    const access = timeCell(c.access_expires_at, now);
    const refresh = timeCell(c.refresh_expires_at, now, c.kind === 'personal' ? 'personal-refresh' : null);
    const lastEl = h('span', { class: ['row-last', `tone-${last.tone}`], text: last.text });
    const row = h('div', {
      class: ['row', `row-${effectiveHealth(c)}`], role: 'option', id: `opt-${c.id}`,
      aria: { selected: c.id === selectedId ? 'true' : 'false', posinset: index + 1, setsize: items.length, label: rowLabel(c, now) },
      dataset: { id: c.id },
    },
    h('div', { class: 'cell col-main' },
      h('div', { class: 'row-title' }, h('span', { class: 'row-name', text: c.name }), healthPill(c, { short: true })),
      h('div', { class: 'row-sub' },
        h('span', { class: 'row-kind', text: KIND_SHORT[c.kind] ?? c.kind }),
        c.label ? h('span', { class: 'row-org', text: c.label }) : null,
        lastEl)),
    h('div', { class: 'cell col-time' }, access),
    h('div', { class: 'cell col-time' }, refresh));
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    return { row, c, index, access, refresh, lastEl };
  }

  function render() {
    frame = 0;
    const now = app.now();
    const range = windowRange({ scrollTop: scroller.scrollTop, viewportHeight: scroller.clientHeight || 400, rowHeight: ROW_HEIGHT, count: items.length, overscan: 6 });
    spacer.style.height = `${range.totalHeight}px`;
    const keep = new Map();
    for (let i = range.start; i < range.end; i += 1) {
      const c = items[i];
      let entry = rendered.get(c.id);
      if (!entry || entry.c !== c) {
        entry?.row.remove();
        entry = buildRow(c, i, now);
        spacer.append(entry.row);
      } else if (entry.index !== i) {
        entry.index = i;
        entry.row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
        entry.row.setAttribute('aria-posinset', String(i + 1));
      }
      entry.row.setAttribute('aria-setsize', String(items.length));
      entry.row.setAttribute('aria-selected', c.id === selectedId ? 'true' : 'false');
      entry.row.classList.toggle('is-selected', c.id === selectedId);
      keep.set(c.id, entry);
    }
    for (const [id, entry] of rendered) if (!keep.has(id)) entry.row.remove();
    rendered = keep;
    const active = selectedId && rendered.has(selectedId) ? `opt-${selectedId}` : null;
    if (active) scroller.setAttribute('aria-activedescendant', active);
    else scroller.removeAttribute('aria-activedescendant');
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function reveal(index) {
    const top = revealRow({ index, scrollTop: scroller.scrollTop, viewportHeight: scroller.clientHeight, rowHeight: ROW_HEIGHT });
    if (top !== null) scroller.scrollTop = top;
  }

  function select(id, { open = false, scroll = true } = {}) {
    selectedId = id;
    const index = indexOf.get(id);
    if (scroll && index !== undefined) reveal(index);
    render();
    onSelect(id);
    if (open) onOpen(id);
  }

  scroller.addEventListener('scroll', schedule, { passive: true });
  scroller.addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) {
      select(row.dataset.id, { scroll: false });
      scroller.focus({ preventScroll: true });
    }
  });
  scroller.addEventListener('dblclick', (event) => {
    const row = event.target.closest('.row');
    if (row) onOpen(row.dataset.id);
  });
  scroller.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && selectedId) {
      event.preventDefault();
      onOpen(selectedId);
      return;
    }
    const current = selectedId !== null && indexOf.has(selectedId) ? indexOf.get(selectedId) : -1;
    const page = Math.floor(scroller.clientHeight / ROW_HEIGHT);
    const next = moveIndex(current, event.key, items.length, page);
    if (next === null) return;
    event.preventDefault();
    select(items[next].id);
  });
  scroller.addEventListener('focus', () => {
    if (!selectedId && items.length) select(items[0].id);
  });
  new ResizeObserver(schedule).observe(scroller);

  renderHeader();

  return {
    el,
    scroller,
    setItems(list, emptyMessage) {
      items = list;
      indexOf = new Map(list.map((c, i) => [c.id, i]));
      empty.hidden = list.length > 0;
      if (!list.length) replace(empty, icon('search', 'empty-icon'), h('p', { text: emptyMessage ?? 'Nothing matches.' }));
      render();
    },
    setSort(next, handler) {
      sort = next;
      onSort = handler;
      renderHeader();
    },
    setSelected(id, options) {
      if (id === selectedId) return;
      if (id && indexOf.has(id)) select(id, options);
      else {
        selectedId = id;
        render();
      }
    },
    /** Updates countdowns and relative times in the visible rows. */
    tick() {
      const now = app.now();
      for (const entry of rendered.values()) {
        const { c } = entry;
        const a = countdown(c.access_expires_at, now, { compact: true });
        if (entry.access.textContent !== a.text) {
          entry.access.textContent = a.text;
          entry.access.className = `countdown tone-${a.tone}`;
        }
        if (c.kind !== 'personal') {
          const r = countdown(c.refresh_expires_at, now, { compact: true });
          if (entry.refresh.textContent !== r.text) {
            entry.refresh.textContent = r.text;
            entry.refresh.className = `countdown tone-${r.tone}`;
          }
        }
        const last = lastLine(c, now).text;
        if (entry.lastEl.textContent !== last) entry.lastEl.textContent = last;
        if (c.id === selectedId) entry.row.setAttribute('aria-label', rowLabel(c, now));
      }
    },
    focus() {
      scroller.focus();
    },
    get selectedId() {
      return selectedId;
    },
  };
}
