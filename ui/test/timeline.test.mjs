import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutTimeline, findClusters, barHeight, binDaysFor, describeBin, ENDED, orderedBins, ticks } from '../js/lib/timeline.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const D = 24 * 3600_000;
const at = (days) => new Date(now + days * D).toISOString();
const cred = (id, access, refresh, extra = {}) => ({ id, name: id, kind: 'integration', health: 'ok', stored: true, access_expires_at: access, refresh_expires_at: refresh, ...extra });

test('every dated end lands in one bin of its lane; ended and beyond-horizon ones in edge bins', () => {
  const list = [
    cred('a', at(0.5), at(80)),
    cred('b', at(0.7), at(95)),
    cred('c', at(-2), at(-1), { health: 'needs-attention' }),
    cred('d', null, null),
    { id: 'p', name: 'p', kind: 'personal', health: 'ok', stored: true, access_expires_at: at(0.2) },
  ];
  const t = layoutTimeline(list, now, { days: 90 });
  const [access, refresh] = t.lanes;
  assert.deepEqual(access.bins.get(0).ids, ['a', 'b', 'p']);
  assert.deepEqual(access.bins.get(ENDED).ids, ['c']);
  assert.equal(access.bins.get(ENDED).attention, 1);
  assert.equal(access.unknown, 1);
  assert.deepEqual(refresh.bins.get(80).ids, ['a']);
  assert.deepEqual(refresh.bins.get(t.binCount).ids, ['b']);
  assert.equal(refresh.unknown, 1, 'a personal access token has no refresh token to be unknown');
  assert.equal(access.total + refresh.total, 7);
  assert.equal(t.max, 3);
});

test('a token ending this very moment has ended, as the engine\u2019s health says', () => {
  const t = layoutTimeline([cred('now', new Date(now).toISOString(), null)], now);
  assert.deepEqual(t.lanes[0].bins.get(ENDED).ids, ['now']);
});

test('bins widen when the plot is narrow', () => {
  assert.equal(binDaysFor(900, 90, 6), 1);
  assert.equal(binDaysFor(300, 90, 6), 2);
  const t = layoutTimeline([cred('a', at(2.5), null), cred('b', at(3.5), null)], now, { days: 90, binDays: 2 });
  assert.deepEqual(t.lanes[0].bins.get(1).ids, ['a', 'b']);
  assert.equal(t.binCount, 45);
});

test('a bulk import shows as a cluster of refresh ends in one week', () => {
  const list = [];
  for (let i = 0; i < 200; i += 1) list.push(cred(`bulk${i}`, at(10 + (i % 5)), at(60 + (i % 6))));
  for (let i = 0; i < 20; i += 1) list.push(cred(`spread${i}`, at(1 + i), at(5 + i * 4)));
  const t = layoutTimeline(list, now);
  const clusters = findClusters(t);
  assert.equal(clusters.length, 1, 'refresh tokens only: access tokens renew themselves');
  assert.equal(clusters[0].lane, 'refresh');
  assert.equal(clusters[0].firstBin, 60);
  assert.equal(clusters[0].lastBin, 65);
  assert.ok(clusters[0].count >= 200);
  assert.equal(clusters[0].ids.length, clusters[0].count);
});

test('access-token clusters are found when asked for', () => {
  const list = Array.from({ length: 50 }, (_, i) => cred(`a${i}`, at(3 + (i % 3)), null));
  const clusters = findClusters(layoutTimeline(list, now), { lanes: ['access'] });
  assert.deepEqual(clusters.map((c) => [c.lane, c.firstBin, c.lastBin, c.count]), [['access', 3, 5, 50]]);
});

test('evenly spread ends make no cluster', () => {
  const list = Array.from({ length: 90 }, (_, i) => cred(`c${i}`, null, at(i + 0.5)));
  assert.deepEqual(findClusters(layoutTimeline(list, now)), []);
});

test('bar heights: square root scale, small counts stay visible, zero draws nothing', () => {
  assert.equal(barHeight(0, 100, 40), 0);
  assert.equal(barHeight(100, 100, 40), 40);
  assert.equal(barHeight(25, 100, 40), 20);
  assert.equal(barHeight(1, 10_000, 40), 3);
});

test('hovering a bin names its credentials, a few at most', () => {
  const list = Array.from({ length: 9 }, (_, i) => cred(`n${i}`, at(3.2), null, i === 0 ? { health: 'needs-attention' } : {}));
  const t = layoutTimeline(list, now);
  const bin = t.lanes[0].bins.get(3);
  const text = describeBin(bin, t, (id) => id.toUpperCase(), 3);
  assert.match(text, /^9 access tokens end /);
  assert.match(text, /N0, N1, N2 and 6 more \(1 needs attention\)$/);
  assert.match(describeBin(t.lanes[1].bins.get(ENDED) ?? { lane: 'access', index: ENDED, ids: ['x'], attention: 0 }, t, (id) => id), /ended already/);
});

test('bins come in lane order, ended first', () => {
  const t = layoutTimeline([cred('a', at(5), at(-1)), cred('b', at(-1), at(50))], now);
  assert.deepEqual(orderedBins(t).map((b) => `${b.lane}:${b.index}`), ['access:-1', 'access:5', 'refresh:-1', 'refresh:50']);
});

test('ticks start now and reach the horizon', () => {
  const list = ticks(now, 90);
  assert.equal(list[0].label, 'Now');
  assert.equal(list.at(-1).day, 90);
});
