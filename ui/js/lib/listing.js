// Filtering and sorting the credentials list. Pure and allocation-light: with 1,000 credentials it
// runs on every keystroke in the search field.

import { toMs } from './time.js';

/** Health values from most to least in need of a person. */
export const HEALTH_ORDER = ['needs-attention', 'expired', 'retrying', 'expiring', 'unknown', 'ok'];

export const HEALTH_LABEL = {
  'needs-attention': 'Needs attention',
  expired: 'Expired',
  retrying: 'Retrying',
  expiring: 'Expiring',
  unknown: 'Unknown expiry',
  ok: 'OK',
};

export const KIND_LABEL = {
  integration: 'Integration',
  'service-app': 'Service app',
  personal: 'Personal access token',
};

/** The state filter's choices: a few people think in, each a set of health values. */
export const STATE_FILTERS = [
  { value: 'all', label: 'All states' },
  { value: 'attention', label: 'Needs attention' },
  { value: 'expiring', label: 'Expiring or expired' },
  { value: 'retrying', label: 'Retrying' },
  { value: 'unknown', label: 'Unknown expiry' },
  { value: 'ok', label: 'OK' },
];

/** A credential with no stored secrets needs a person as much as one with attention set. */
export function effectiveHealth(c) {
  return c.stored === false ? 'needs-attention' : c.health;
}

export function matchesState(c, state) {
  const health = effectiveHealth(c);
  switch (state) {
    case undefined:
    case '':
    case 'all':
      return true;
    case 'attention':
      return health === 'needs-attention';
    case 'expiring':
      return health === 'expiring' || health === 'expired';
    default:
      return health === state;
  }
}

/** The org filter's value for credentials without a label. */
export const NO_ORG = '\u0000none';

export function matchesOrg(c, org) {
  if (!org) return true;
  if (org === NO_ORG) return !c.label;
  return (c.label ?? '') === org;
}

function haystack(c) {
  return [c.name, c.label, c.id, c.client_id, c.kind, c.last_attempt?.tracking_id]
    .filter(Boolean)
    .join('\u0001')
    .toLowerCase();
}

/** Every word of the query must appear in the name, org, id, client id, kind or trackingId. */
export function matchesText(c, words) {
  if (words.length === 0) return true;
  const text = haystack(c);
  return words.every((w) => text.includes(w));
}

export function queryWords(text) {
  return String(text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The credentials to show, in order.
 * filter: { text, org, state, only: Set of ids (a timeline selection) }
 * sort: { key: name|org|state|access|refresh|last, dir: asc|desc }
 */
export function visibleCredentials(list, filter = {}, sort = { key: 'name', dir: 'asc' }) {
  const words = queryWords(filter.text);
  const only = filter.only && filter.only.size ? filter.only : null;
  const out = list.filter(
    (c) => (!only || only.has(c.id)) && matchesOrg(c, filter.org) && matchesState(c, filter.state) && matchesText(c, words),
  );
  return sortCredentials(out, sort);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function keyOf(c, key) {
  switch (key) {
    case 'org':
      return c.label || null;
    case 'state':
      return HEALTH_ORDER.indexOf(effectiveHealth(c));
    case 'access':
      return toMs(c.access_expires_at);
    case 'refresh':
      return toMs(c.refresh_expires_at);
    case 'last':
      return toMs(c.last_attempt?.at);
    case 'kind':
      return c.kind;
    default:
      return c.name;
  }
}

function compareValues(a, b) {
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts a copy. Unknown values (no org, unknown expiry) go last in either direction, ties fall
 * back to the name then the id so the order never jumps between renders.
 */
export function sortCredentials(list, { key = 'name', dir = 'asc' } = {}) {
  const sign = dir === 'desc' ? -1 : 1;
  const keyed = list.map((c) => ({ c, k: keyOf(c, key) }));
  keyed.sort((x, y) => {
    const xa = x.k === null || x.k === undefined;
    const ya = y.k === null || y.k === undefined;
    if (xa !== ya) return xa ? 1 : -1;
    const primary = xa ? 0 : sign * compareValues(x.k, y.k);
    if (primary) return primary;
    return collator.compare(x.c.name, y.c.name) || compareValues(x.c.id, y.c.id);
  });
  return keyed.map((e) => e.c);
}

/** The org filter's choices: each label with its count, most common first, then "no org". */
export function orgChoices(list) {
  const counts = new Map();
  let none = 0;
  for (const c of list) {
    if (c.label) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
    else none += 1;
  }
  const choices = [...counts].map(([value, count]) => ({ value, label: value, count }));
  choices.sort((a, b) => collator.compare(a.label, b.label));
  if (none) choices.push({ value: NO_ORG, label: 'No org', count: none });
  return choices;
}

/** How many credentials are in each state filter, for the filter's labels and the summary. */
export function stateCounts(list) {
  const counts = Object.fromEntries(STATE_FILTERS.map((f) => [f.value, 0]));
  for (const c of list) {
    for (const f of STATE_FILTERS) if (matchesState(c, f.value)) counts[f.value] += 1;
  }
  return counts;
}

/** The failed attempt worth showing as "last error", or null when the last attempt worked. */
export function lastError(c) {
  const a = c.last_attempt;
  if (a && a.outcome && a.outcome !== 'ok') return a;
  return null;
}
