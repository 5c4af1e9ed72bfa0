import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowRange, revealRow, moveIndex } from '../js/lib/virtual.js';

test('only the rows in view plus overscan are rendered', () => {
  const r = windowRange({ scrollTop: 5600, viewportHeight: 560, rowHeight: 56, count: 1000, overscan: 5 });
  assert.deepEqual(r, { start: 95, end: 115, offsetTop: 95 * 56, totalHeight: 56000 });
});

test('the window stays inside the list at both ends', () => {
  assert.deepEqual(windowRange({ scrollTop: 0, viewportHeight: 560, rowHeight: 56, count: 1000, overscan: 5 }).start, 0);
  const end = windowRange({ scrollTop: 999_999, viewportHeight: 560, rowHeight: 56, count: 1000, overscan: 5 });
  assert.equal(end.end, 1000);
  assert.ok(end.end - end.start <= 10 + 5 + 1);
  assert.deepEqual(windowRange({ scrollTop: 0, viewportHeight: 560, rowHeight: 56, count: 0 }), { start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
});

test('a short list renders whole', () => {
  assert.deepEqual(windowRange({ scrollTop: 0, viewportHeight: 560, rowHeight: 56, count: 3 }), { start: 0, end: 3, offsetTop: 0, totalHeight: 168 });
});

test('revealing a row scrolls the least, or not at all', () => {
  const view = { scrollTop: 560, viewportHeight: 560, rowHeight: 56 };
  assert.equal(revealRow({ ...view, index: 12 }), null);
  assert.equal(revealRow({ ...view, index: 5 }), 280);
  assert.equal(revealRow({ ...view, index: 20 }), 21 * 56 - 560);
});

test('keys move the active row within bounds', () => {
  assert.equal(moveIndex(-1, 'ArrowDown', 10, 5), 0);
  assert.equal(moveIndex(9, 'ArrowDown', 10, 5), 9);
  assert.equal(moveIndex(0, 'ArrowUp', 10, 5), 0);
  assert.equal(moveIndex(2, 'PageDown', 10, 5), 6);
  assert.equal(moveIndex(8, 'PageDown', 10, 5), 9);
  assert.equal(moveIndex(3, 'PageUp', 10, 5), 0);
  assert.equal(moveIndex(4, 'Home', 10, 5), 0);
  assert.equal(moveIndex(4, 'End', 10, 5), 9);
  assert.equal(moveIndex(4, 'a', 10, 5), null);
  assert.equal(moveIndex(-1, 'ArrowDown', 0, 5), null);
});
