// The credentials view: summary, search and filters, the expiry timeline, the list and the
// selected credential's details side by side.

import { h, icon, replace, button, announce } from '../dom.js';
import { visibleCredentials, orgChoices, stateCounts, STATE_FILTERS, effectiveHealth, queryWords } from '../lib/listing.js';
import { createList } from './list.js';
import { createTimeline } from './timeline.js';
import { createDetail } from './detail.js';

const SORTS = [
  ['name', 'Name'], ['org', 'Org'], ['state', 'State'], ['access', 'Access expiry'], ['refresh', 'Refresh expiry'], ['last', 'Last attempt'],
];
const DEFAULT_DIR = { name: 'asc', org: 'asc', state: 'asc', access: 'asc', refresh: 'asc', last: 'desc' };

export function createCredentialsView(app, section) {
  const filter = { text: '', org: '', state: 'all', only: null, onlyLabel: '' };
  let sort = { key: 'state', dir: 'asc' };
  // Short windows start with the timeline folded, so the list keeps room for rows.
  let timelineOpen = !window.matchMedia('(max-height: 640px)').matches;

  const summary = h('p', { class: 'view-subtitle', id: 'credentials-summary' });
  const search = h('input', { type: 'search', class: 'input search-input', id: 'cred-search', placeholder: 'Search name, org, id\u2026', title: 'Matches names, orgs, credential and client ids, and trackingIds', autocomplete: 'off', spellcheck: 'false', aria: { controls: 'credentials-list', describedby: 'cred-count' } });
  const orgSelect = h('select', { class: 'input', id: 'cred-org' });
  const stateSelect = h('select', { class: 'input', id: 'cred-state' });
  const sortSelect = h('select', { class: 'input', id: 'cred-sort' }, SORTS.map(([v, l]) => h('option', { value: v, text: `Sort by ${l.toLowerCase()}` })));
  const dirButton = h('button', { type: 'button', class: 'btn-icon btn-bordered', id: 'cred-dir' });
  const count = h('span', { class: 'result-count', id: 'cred-count', role: 'status' });
  const chipHost = h('div', { class: 'filter-chips' });
  const listStatus = h('div', { class: 'list-status' }, count, chipHost);

  const timelineToggle = h('button', { type: 'button', class: 'disclosure', aria: { expanded: 'true', controls: 'timeline-body' } }, icon('chevronDown', 'disclosure-icon'), h('span', { text: 'Expiry timeline' }), h('span', { class: 'muted disclosure-aside', text: 'now to 90 days' }));
  const timeline = createTimeline({
    app,
    onSelectIds: (ids, label) => {
      filter.only = new Set(ids);
      filter.onlyLabel = label;
      update({ keepSelection: false });
      const first = visible[0];
      if (first) list.setSelected(first.id);
      announce(`${ids.length} selected from the timeline and shown in the list.`);
    },
  });
  const timelineBody = h('div', { id: 'timeline-body', class: 'timeline-body', hidden: !timelineOpen }, timeline.el);
  timelineToggle.setAttribute('aria-expanded', String(timelineOpen));
  timeline.clusters.hidden = !timelineOpen;
  const timelineCard = h('section', { class: 'card timeline-card', aria: { label: 'Expiry timeline' } },
    h('div', { class: 'timeline-head' }, h('h2', { class: 'card-title' }, timelineToggle), timeline.clusters),
    timelineBody);
  timelineToggle.addEventListener('click', () => {
    timelineOpen = !timelineOpen;
    timelineToggle.setAttribute('aria-expanded', String(timelineOpen));
    timelineBody.hidden = !timelineOpen;
    timeline.clusters.hidden = !timelineOpen;
    if (timelineOpen) timeline.redraw();
  });

  const detail = createDetail({ app, onClose: () => { split.classList.remove('show-detail'); list.focus(); } });
  const list = createList({
    app,
    onSelect: (id) => {
      detail.show(app.get(id));
      split.classList.add('has-selection');
    },
    onOpen: (id) => {
      detail.show(app.get(id));
      split.classList.add('show-detail');
      detail.focusFirst();
    },
  });
  list.scroller.id = 'credentials-list';
  const split = h('div', { class: 'split' }, list.el, detail.el);

  section.append(
    h('header', { class: 'view-header' },
      h('div', {}, h('h1', { id: 'credentials-title', text: 'Credentials' }), summary),
      h('div', { class: 'header-actions' },
        button('Import\u2026', { icon: 'import', on: () => app.navigate('import') }),
        button('Add\u2026', { icon: 'plus', kind: 'primary', on: () => app.actions.add('integration') }))),
    h('div', { class: 'toolbar', role: 'search', aria: { label: 'Filter credentials' } },
      h('label', { class: 'search' }, icon('search', 'search-icon'), h('span', { class: 'sr-only', text: 'Search credentials' }), search),
      // The choices name themselves ("All orgs", "Sort by name"); the labels are for screen readers.
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Org' }), orgSelect),
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'State' }), stateSelect),
      h('label', { class: 'toolbar-field' }, h('span', { class: 'sr-only', text: 'Sort by' }), sortSelect),
      dirButton),
    timelineCard,
    listStatus,
    split);

  let visible = [];

  function renderFilters(all) {
    const orgs = orgChoices(all);
    const currentOrg = filter.org;
    replace(orgSelect, h('option', { value: '', text: `All orgs (${orgs.length})` }), orgs.map((o) => h('option', { value: o.value, text: `${o.label} (${o.count})` })));
    orgSelect.value = orgs.some((o) => o.value === currentOrg) ? currentOrg : '';
    filter.org = orgSelect.value;
    const counts = stateCounts(all);
    replace(stateSelect, STATE_FILTERS.map((f) => h('option', { value: f.value, text: `${f.label} (${counts[f.value]})` })));
  }

  function syncControls() {
    orgSelect.value = filter.org;
    stateSelect.value = filter.state;
    sortSelect.value = sort.key;
    replace(dirButton, icon(sort.dir === 'asc' ? 'arrowUp' : 'arrowDown'));
    dirButton.setAttribute('aria-label', sort.dir === 'asc' ? 'Ascending; switch to descending' : 'Descending; switch to ascending');
    dirButton.title = dirButton.getAttribute('aria-label');
  }

  function renderSummary(all) {
    const attention = all.filter((c) => effectiveHealth(c) === 'needs-attention').length;
    const expiring = all.filter((c) => c.health === 'expiring' || c.health === 'expired').length;
    const n = all.length.toLocaleString();
    const parts = [`${n} credential${all.length === 1 ? '' : 's'}`];
    if (attention) parts.push(`${attention} need${attention === 1 ? 's' : ''} attention`);
    if (expiring) parts.push(`${expiring} expiring or expired`);
    summary.textContent = parts.join(' \u00b7 ');
  }

  // The summary and the filters' counts change with the data, not with the search text: rebuild
  // them only when a status arrived, so typing in the search stays cheap with 1,000 credentials.
  let dataVersion = 0;
  let shownVersion = -1;

  function update({ keepSelection = true } = {}) {
    const all = app.list();
    if (shownVersion !== dataVersion) {
      renderSummary(all);
      renderFilters(all);
      shownVersion = dataVersion;
    }
    syncControls();
    const base = { text: filter.text, org: filter.org, state: filter.state };
    timeline.setItems(visibleCredentials(all, base, sort));
    visible = visibleCredentials(all, { ...base, only: filter.only }, sort);
    const filtered = queryWords(filter.text).length || filter.org || filter.state !== 'all' || filter.only;
    count.textContent = filtered ? `Showing ${visible.length.toLocaleString()} of ${all.length.toLocaleString()}` : '';
    listStatus.hidden = !filtered;
    replace(chipHost, filter.only
      ? h('span', { class: 'chip chip-active' }, h('span', { text: filter.onlyLabel || `${filter.only.size} from the timeline` }),
        h('button', { type: 'button', class: 'chip-remove', aria: { label: 'Clear the timeline selection' }, on: { click: () => { filter.only = null; update(); search.focus(); } } }, icon('x')))
      : null);
    list.setItems(visible, filtered ? 'No credential matches these filters.' : 'No credentials yet.');
    list.setSort(sort, (key) => {
      sort = sort.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: DEFAULT_DIR[key] };
      update();
    });
    const selected = list.selectedId;
    if (selected && app.get(selected)) detail.show(app.get(selected));
    else if (selected) {
      list.setSelected(null);
      detail.show(null);
      split.classList.remove('has-selection', 'show-detail');
    }
    if (!keepSelection && selected && !visible.some((c) => c.id === selected)) list.setSelected(visible[0]?.id ?? null);
  }

  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      filter.text = search.value;
      update();
    }, 60);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && search.value) {
      event.stopPropagation();
      search.value = '';
      filter.text = '';
      update();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      list.focus();
    }
  });
  orgSelect.addEventListener('change', () => { filter.org = orgSelect.value; update(); });
  stateSelect.addEventListener('change', () => { filter.state = stateSelect.value; update(); });
  // Another view may have changed what the filters should offer (an import, a removal).
  const refreshData = () => { dataVersion += 1; };
  sortSelect.addEventListener('change', () => { sort = { key: sortSelect.value, dir: DEFAULT_DIR[sortSelect.value] }; update(); });
  dirButton.addEventListener('click', () => { sort = { ...sort, dir: sort.dir === 'asc' ? 'desc' : 'asc' }; update(); });

  // "/" or Ctrl+F focuses the search, as in most list windows.
  document.addEventListener('keydown', (event) => {
    if (section.hidden || document.querySelector('dialog[open]')) return;
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement;
    if ((event.key === '/' && !typing) || (event.key === 'f' && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === 'Escape' && !typing && filter.only) {
      filter.only = null;
      update();
    }
  });

  app.on('status', () => {
    dataVersion += 1;
    if (!section.hidden) update();
  });
  app.on('select', (id) => {
    if (!app.get(id)) return;
    if (filter.only && !filter.only.has(id)) filter.only = null;
    if (!visibleCredentials([app.get(id)], { text: filter.text, org: filter.org, state: filter.state }).length) {
      filter.text = '';
      search.value = '';
      filter.org = '';
      filter.state = 'all';
    }
    if (section.hidden) app.navigate('credentials');
    update();
    list.setSelected(id);
    detail.refreshSettings();
  });

  // One clock for the whole view: countdowns move every second, only where they are visible.
  setInterval(() => {
    if (section.hidden) return;
    list.tick();
    detail.tick();
  }, 1000);
  // The timeline's "now" moves too, slowly enough to redraw once a minute.
  setInterval(() => { if (!section.hidden) timeline.redraw(); }, 60_000);

  return {
    show() {
      refreshData();
      update();
      timeline.redraw();
    },
  };
}
