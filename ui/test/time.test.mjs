import { test } from 'node:test';
import assert from 'node:assert/strict';
import { span, relative, countdown, ago, toMs } from '../js/lib/time.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const M = 60_000;
const H = 60 * M;
const D = 24 * H;

test('spans read like the CLI from a minute up, with seconds under an hour', () => {
  assert.equal(span(37_000), '37s');
  assert.equal(span(42 * M + 5_000), '42m 05s');
  assert.equal(span(13 * H + 5 * M), '13h 5m');
  assert.equal(span(47 * H + 59 * M), '47h 59m');
  assert.equal(span(13 * D + 4 * H), '13d 4h');
});

test('relative says in or ago, null for unknown', () => {
  assert.equal(relative(new Date(now + 13 * D + 4 * H).toISOString(), now), 'in 13d 4h');
  assert.equal(relative(now - 3 * H, now), '3h 0m ago');
  assert.equal(relative(null, now), null);
  assert.equal(relative('not a date', now), null);
});

test('countdown tones follow how close the end is', () => {
  assert.deepEqual(countdown(null, now), { text: 'unknown', tone: 'none', past: false });
  assert.equal(countdown(now - 5 * M, now).tone, 'past');
  assert.equal(countdown(now - 5 * M, now).text, 'ended 5m 00s ago');
  assert.equal(countdown(now, now).tone, 'past');
  assert.equal(countdown(now - 5 * M, now, { compact: true }).text, '5m 00s ago');
  assert.equal(countdown(now + 30 * M, now).tone, 'soon');
  assert.equal(countdown(now + 30 * H, now).tone, 'near');
  assert.equal(countdown(now + 3 * D, now).tone, 'fine');
});

test('a countdown under an hour changes every second', () => {
  const at = now + 10 * M;
  assert.notEqual(countdown(at, now).text, countdown(at, now + 1000).text);
});

test('ago is coarse', () => {
  assert.equal(ago(now - 10_000, now), 'just now');
  assert.equal(ago(now - 5 * M, now), '5m ago');
  assert.equal(ago(now - 30 * H, now), '30h ago');
  assert.equal(ago(now - 4 * D, now), '4d ago');
});

test('toMs accepts RFC 3339, Date and numbers', () => {
  assert.equal(toMs('2026-03-01T12:00:00Z'), now);
  assert.equal(toMs(new Date(now)), now);
  assert.equal(toMs(now), now);
  assert.equal(toMs(undefined), null);
});
