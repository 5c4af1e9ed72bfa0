// How the window reads times: live countdowns to an expiry, ages of past events, dates.
// Pure: every function takes `now` (milliseconds since the epoch) instead of reading the clock.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds since the epoch of an RFC 3339 string, a Date or a number; null when absent. */
export function toMs(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The span between two instants as people read it: "37s", "42m 05s", "13h 5m", "13d 4h".
 * Matches the CLI's wording from one minute up; under an hour it also shows seconds so a
 * countdown visibly moves.
 */
export function span(ms) {
  const abs = Math.abs(ms);
  const totalSeconds = Math.floor(abs / 1000);
  const minutes = Math.floor(abs / MINUTE);
  if (minutes < 1) return `${totalSeconds}s`;
  if (minutes < 60) return `${minutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
  return `${Math.floor(minutes / (24 * 60))}d ${Math.floor(minutes / 60) % 24}h`;
}

/** "in 13d 4h" or "3h 0m ago"; null for an unknown instant. */
export function relative(at, now) {
  const atMs = toMs(at);
  if (atMs === null) return null;
  const delta = atMs - now;
  return delta < 0 ? `${span(delta)} ago` : `in ${span(delta)}`;
}

/**
 * An expiry as a countdown cell shows it: the text, and how worried to look.
 * `tone` is one of "none" (unknown), "past", "soon" (under an hour), "near" (under two days), "fine".
 * `compact` drops the word "ended" where a column header already says it.
 */
export function countdown(at, now, { compact = false } = {}) {
  const atMs = toMs(at);
  if (atMs === null) return { text: 'unknown', tone: 'none', past: false };
  const delta = atMs - now;
  if (delta <= 0) return { text: compact ? `${span(delta)} ago` : `ended ${span(delta)} ago`, tone: 'past', past: true };
  const tone = delta < HOUR ? 'soon' : delta < 2 * DAY ? 'near' : 'fine';
  return { text: `in ${span(delta)}`, tone, past: false };
}

/** "just now", "5m ago", "3h ago", "4d ago" for something that happened; coarse on purpose. */
export function ago(at, now) {
  const atMs = toMs(at);
  if (atMs === null) return null;
  const delta = now - atMs;
  if (delta < MINUTE) return 'just now';
  if (delta < HOUR) return `${Math.floor(delta / MINUTE)}m ago`;
  if (delta < 2 * DAY) return `${Math.floor(delta / HOUR)}h ago`;
  return `${Math.floor(delta / DAY)}d ago`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A local date and time for tooltips and detail panes, e.g. "Mar 3, 2026, 14:05". */
export function dateTime(at) {
  const ms = toMs(at);
  return ms === null ? '—' : dateTimeFormat.format(ms);
}

/** A local day, e.g. "Mar 3", for axis ticks. */
export function day(at) {
  const ms = toMs(at);
  return ms === null ? '—' : dayFormat.format(ms);
}

export const units = { MINUTE, HOUR, DAY };
