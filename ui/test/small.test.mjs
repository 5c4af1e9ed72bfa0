import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStatus } from '../js/lib/statusStore.js';
import { normalizeError, errorText } from '../js/lib/errors.js';
import { auditFilter, matchesAudit } from '../js/lib/audit.js';
import { prefsToForm, formToPrefs, PREF_DEFAULTS } from '../js/lib/prefs.js';

test('a full status replaces the list; a diff changes and removes', () => {
  const map = new Map();
  assert.equal(applyStatus(map, { credentials: [{ id: 'a', health: 'ok' }, { id: 'b', health: 'ok' }] }), true);
  assert.equal(applyStatus(map, { changed: [{ id: 'a', health: 'expired' }] }), false, 'same ids');
  assert.equal(map.get('a').health, 'expired');
  assert.equal(applyStatus(map, { removed: ['b'] }), true);
  assert.deepEqual([...map.keys()], ['a']);
  assert.equal(applyStatus(map, { credentials: [{ id: 'c' }] }), true);
  assert.deepEqual([...map.keys()], ['c']);
});

test('errors of every shape become {kind, message}', () => {
  assert.deepEqual(normalizeError({ kind: 'invalid', message: 'bad', field: 'client_id', extra: 1 }), { kind: 'invalid', message: 'bad', field: 'client_id' });
  assert.deepEqual(normalizeError('plain text'), { kind: 'internal', message: 'plain text' });
  assert.deepEqual(normalizeError(new Error('ipc')), { kind: 'internal', message: 'ipc' });
  assert.equal(normalizeError(undefined).kind, 'internal');
  assert.equal(errorText({ kind: 'webex', message: 'Webex said 502', tracking_id: 'ROUTER_1' }), 'Webex said 502 (trackingId ROUTER_1)');
});

test('audit filters: presets, custom ranges, and the predicate', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.deepEqual(auditFilter({ range: 'day', credential: 'int-a', action: 'refresh', result: 'permanent' }, now).filter, {
    credential: 'int-a', action: 'refresh', result: 'permanent', since: '2026-02-28T12:00:00.000Z',
  });
  assert.deepEqual(auditFilter({ range: 'all' }, now).filter, {});
  assert.ok(auditFilter({ range: 'custom', from: '2026-03-02T00:00Z', to: '2026-03-01T00:00Z' }, now).error);
  const { filter } = auditFilter({ range: 'custom', from: '2026-03-01T00:00:00Z', to: '2026-03-01T06:00:00Z', result: 'ok' }, now);
  const rec = (time, result = 'ok') => ({ time, result, action: 'refresh', credential_id: 'int-a' });
  assert.equal(matchesAudit(rec('2026-03-01T00:00:00Z'), filter), true, 'since is inclusive');
  assert.equal(matchesAudit(rec('2026-03-01T06:00:00Z'), filter), false, 'until is exclusive');
  assert.equal(matchesAudit(rec('2026-03-01T03:00:00Z', 'transient'), filter), false);
});

test('preferences round-trip through the form in people\u2019s units', () => {
  const form = prefsToForm(PREF_DEFAULTS);
  assert.equal(form.min_margin_minutes, '15');
  assert.equal(form.max_margin_hours, '48');
  assert.deepEqual(formToPrefs(form).prefs, PREF_DEFAULTS);
});

test('preferences refuse bad numbers, a margin window that is backwards, and a plain-http API base', () => {
  const form = prefsToForm(PREF_DEFAULTS);
  assert.ok(formToPrefs({ ...form, clipboard_clear_secs: '-1' }).errors.clipboard_clear_secs);
  assert.ok(formToPrefs({ ...form, min_margin_minutes: '600', max_margin_hours: '2' }).errors.max_margin_hours);
  assert.ok(formToPrefs({ ...form, default_api_base: 'http://webexapis.com/v1' }).errors.default_api_base);
  assert.equal(formToPrefs({ ...form, default_api_base: 'https://example.test/v1/' }).prefs.default_api_base, 'https://example.test/v1');
});
