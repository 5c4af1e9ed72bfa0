// The audit log view's filter: what the form holds, the `audit_query` filter it becomes, and the
// same predicate the mock backend applies (so the page and the contract agree on its meaning).

import { toMs, units } from './time.js';

export const ACTIONS = [
  ['add', 'Added or changed'], ['import', 'Imported'], ['authorize', 'Authorized'], ['refresh', 'Refreshed'],
  ['mint', 'Minted'], ['refresh-bearer', 'Refreshed bearer'], ['check', 'Checked'], ['revoke', 'Revoked'],
  ['remove', 'Removed'], ['interrupted', 'Interrupted'], ['warning', 'Warned'],
];
export const ACTION_LABEL = Object.fromEntries(ACTIONS);

/** "Refresh failed 3h ago": the action as a noun. */
export const ACTION_NOUN = {
  add: 'Add or change', import: 'Import', authorize: 'Authorization', refresh: 'Refresh', mint: 'Mint',
  'refresh-bearer': 'Bearer refresh', check: 'Check', revoke: 'Revocation', remove: 'Removal',
  interrupted: 'Refresh', warning: 'Warning',
};

/** "Refreshed 3h ago": the action done. */
export const ACTION_DONE = {
  add: 'Added', import: 'Imported', authorize: 'Authorized', refresh: 'Refreshed', mint: 'Minted',
  'refresh-bearer': 'Bearer refreshed', check: 'Checked', revoke: 'Revoked', remove: 'Removed',
  interrupted: 'Interrupted', warning: 'Warned',
};

export const RESULTS = [['ok', 'Succeeded'], ['transient', 'Failed, will retry'], ['permanent', 'Failed, needs a person']];
export const RESULT_LABEL = Object.fromEntries(RESULTS);
/** For table cells and detail rows, where the column already says "Result". */
export const RESULT_SHORT = { ok: 'Succeeded', transient: 'Will retry', permanent: 'Needs a person' };

export const RANGES = [
  ['hour', 'Last hour', units.HOUR],
  ['day', 'Last 24 hours', units.DAY],
  ['week', 'Last 7 days', 7 * units.DAY],
  ['month', 'Last 30 days', 30 * units.DAY],
  ['all', 'All time', null],
  ['custom', 'Between\u2026', null],
];

/**
 * The `audit_query` filter for the form's values. Custom ranges come from datetime-local inputs
 * (local time). Returns { filter } or { error } when the range is backwards or unreadable.
 */
export function auditFilter(form, now) {
  const filter = {};
  if (form.credential) filter.credential = form.credential;
  if (form.action) filter.action = form.action;
  if (form.result) filter.result = form.result;
  const range = RANGES.find((r) => r[0] === form.range) ?? RANGES[4];
  if (range[2]) filter.since = new Date(now - range[2]).toISOString();
  if (range[0] === 'custom') {
    const from = form.from ? Date.parse(form.from) : null;
    const to = form.to ? Date.parse(form.to) : null;
    if (Number.isNaN(from) || Number.isNaN(to)) return { error: 'Enter the range as dates and times.' };
    if (from !== null && to !== null && from > to) return { error: 'The range ends before it starts.' };
    if (from !== null) filter.since = new Date(from).toISOString();
    if (to !== null) filter.until = new Date(to).toISOString();
  }
  return { filter };
}

/** Whether a record passes a filter: since inclusive, until exclusive. */
export function matchesAudit(record, filter) {
  if (filter.credential && record.credential_id !== filter.credential) return false;
  if (filter.action && record.action !== filter.action) return false;
  if (filter.result && record.result !== filter.result) return false;
  const at = toMs(record.time);
  if (filter.since && at < toMs(filter.since)) return false;
  if (filter.until && at >= toMs(filter.until)) return false;
  return true;
}
