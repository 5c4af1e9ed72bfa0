// Windowing for long lists: which rows to render for a scroll position, and keyboard movement.
// Rows have one fixed height, so everything is arithmetic.

/**
 * The rows to render: [start, end) plus `overscan` rows either side, the offset of the first
 * rendered row, and the full height the scroller must have.
 */
export function windowRange({ scrollTop, viewportHeight, rowHeight, count, overscan = 6 }) {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, totalHeight - viewportHeight)));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + viewportHeight) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or null when it
 * is visible already.
 */
export function revealRow({ index, scrollTop, viewportHeight, rowHeight }) {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** The row a navigation key moves to from `index` (-1: nothing active yet); null for other keys. */
export function moveIndex(index, key, count, pageSize) {
  if (count === 0) return null;
  const clamp = (i) => Math.max(0, Math.min(count - 1, i));
  const page = Math.max(1, pageSize - 1);
  switch (key) {
    case 'ArrowDown':
      return index < 0 ? 0 : clamp(index + 1);
    case 'ArrowUp':
      return index < 0 ? 0 : clamp(index - 1);
    case 'PageDown':
      return clamp(Math.max(index, 0) + page);
    case 'PageUp':
      return clamp(Math.max(index, 0) - page);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
