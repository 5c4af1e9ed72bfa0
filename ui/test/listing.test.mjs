import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleCredentials, sortCredentials, orgChoices, stateCounts, NO_ORG, lastError } from '../js/lib/listing.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const iso = (h) => new Date(now + h * 3600_000).toISOString();
const list = [
  { id: 'int-a', name: 'Acme', kind: 'integration', label: 'Acme Inc', health: 'ok', stored: true, access_expires_at: iso(300), refresh_expires_at: iso(2000), client_id: 'C111' },
  { id: 'int-b', name: 'beta', kind: 'integration', label: 'Globex', health: 'needs-attention', stored: true, access_expires_at: iso(-5), attention: { reason: 'refresh-token-rejected' } },
  { id: 'sa-c', name: 'Charlie app', kind: 'service-app', label: 'Globex', health: 'expiring', stored: true, access_expires_at: iso(0.5), last_attempt: { at: iso(-1), outcome: 'transient', tracking_id: 'ROUTER_ABC123' } },
  { id: 'pat-d', name: 'delta', kind: 'personal', health: 'unknown', stored: true },
  { id: 'int-e', name: 'Echo', kind: 'integration', label: 'Acme Inc', health: 'ok', stored: false, access_expires_at: iso(10) },
  { id: 'int-f', name: 'Acme', kind: 'integration', label: 'Acme Inc', health: 'expired', stored: true, access_expires_at: iso(-1) },
];
const ids = (l) => l.map((c) => c.id);

test('text search matches every word across name, org, ids and trackingId, ignoring case', () => {
  assert.deepEqual(ids(visibleCredentials(list, { text: 'acme' })), ['int-a', 'int-f', 'int-e']);
  assert.deepEqual(ids(visibleCredentials(list, { text: 'GLOBEX char' })), ['sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { text: 'router_abc' })), ['sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { text: 'c111' })), ['int-a']);
  assert.deepEqual(ids(visibleCredentials(list, { text: 'nothing-like-this' })), []);
});

test('org filter, including credentials without an org', () => {
  assert.deepEqual(ids(visibleCredentials(list, { org: 'Globex' })), ['int-b', 'sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { org: NO_ORG })), ['pat-d']);
});

test('state filter groups health values; nothing stored counts as needing attention', () => {
  assert.deepEqual(ids(visibleCredentials(list, { state: 'attention' })), ['int-b', 'int-e']);
  assert.deepEqual(ids(visibleCredentials(list, { state: 'expiring' })), ['int-f', 'sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { state: 'unknown' })), ['pat-d']);
  assert.deepEqual(ids(visibleCredentials(list, { state: 'ok' })), ['int-a']);
});

test('a timeline selection narrows the list to its ids, combined with the other filters', () => {
  const only = new Set(['int-a', 'int-b', 'sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { only })), ['int-a', 'int-b', 'sa-c']);
  assert.deepEqual(ids(visibleCredentials(list, { only, org: 'Globex' })), ['int-b', 'sa-c']);
});

test('sorting by expiry puts unknown last in both directions and breaks ties by name then id', () => {
  assert.deepEqual(ids(sortCredentials(list, { key: 'access', dir: 'asc' })), ['int-b', 'int-f', 'sa-c', 'int-e', 'int-a', 'pat-d']);
  assert.deepEqual(ids(sortCredentials(list, { key: 'access', dir: 'desc' })), ['int-a', 'int-e', 'sa-c', 'int-f', 'int-b', 'pat-d']);
  assert.deepEqual(ids(sortCredentials(list, { key: 'name' })), ['int-a', 'int-f', 'int-b', 'sa-c', 'pat-d', 'int-e']);
});

test('sorting by state puts those needing a person first', () => {
  assert.deepEqual(ids(sortCredentials(list, { key: 'state' })).slice(0, 3), ['int-b', 'int-e', 'int-f']);
});

test('sorting by org groups labels, unlabelled last', () => {
  assert.deepEqual(ids(sortCredentials(list, { key: 'org' })), ['int-a', 'int-f', 'int-e', 'int-b', 'sa-c', 'pat-d']);
});

test('sorting does not change the input', () => {
  const copy = [...list];
  sortCredentials(list, { key: 'refresh', dir: 'desc' });
  assert.deepEqual(list, copy);
});

test('org choices count each label, with no org last', () => {
  assert.deepEqual(orgChoices(list), [
    { value: 'Acme Inc', label: 'Acme Inc', count: 3 },
    { value: 'Globex', label: 'Globex', count: 2 },
    { value: NO_ORG, label: 'No org', count: 1 },
  ]);
});

test('state counts', () => {
  const counts = stateCounts(list);
  assert.equal(counts.all, 6);
  assert.equal(counts.attention, 2);
  assert.equal(counts.expiring, 2);
});

test('last error is the last attempt only when it failed', () => {
  assert.equal(lastError(list[2]).tracking_id, 'ROUTER_ABC123');
  assert.equal(lastError({ last_attempt: { outcome: 'ok' } }), null);
  assert.equal(lastError({}), null);
});

test('filtering 1,000 credentials keeps every match', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({ id: `int-${i}`, name: `Org ${i}`, kind: 'integration', label: `Partner ${i % 10}`, health: 'ok', stored: true }));
  assert.equal(visibleCredentials(many, { org: 'Partner 3' }).length, 100);
  // Words match anywhere: "99" is in 99, 199 … 999 and 990 … 998.
  assert.equal(visibleCredentials(many, { text: 'org 99' }).length, 19);
});
