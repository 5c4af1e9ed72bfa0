// The expiry timeline, drawn as SVG by the page: one lane for access tokens, one for refresh
// tokens, now to 90 days, a bar per day sized by how many tokens end then, the part needing
// attention in the attention colour, clusters shaded. Hover or arrow keys name a bar's
// credentials; click or Enter selects them in the list.

import { h, s, replace, announce } from '../dom.js';
import { layoutTimeline, findClusters, barHeight, binDaysFor, describeBin, describeCluster, ticks, ENDED } from '../lib/timeline.js';

const GUTTER = 118; // lane labels
const EDGE = 40; // "ended" and "later" columns
const LANE_H = 40;
const LANE_GAP = 8;
const TOP = 4;
const AXIS_H = 20;

export function createTimeline({ app, onSelectIds }) {
  const svgHost = h('div', { class: 'timeline-plot' });
  const tooltip = h('div', { class: 'timeline-tooltip', role: 'tooltip', id: 'timeline-tooltip', hidden: true });
  const description = h('p', { class: 'sr-only', id: 'timeline-desc' });
  const clustersHost = h('div', { class: 'timeline-clusters' });
  const el = h('div', { class: 'timeline' }, svgHost, tooltip, description);

  let items = [];
  let layout = null;
  let geometry = null;
  let focusIndex = -1; // index into the flat bin list
  let flat = [];
  let hovered = null;
  let svg = null;
  let width = 0;

  const xForBin = (bin) => {
    const { plotX, plotW } = geometry;
    if (bin.index === ENDED) return { x: GUTTER + 10, w: EDGE - 20 };
    if (bin.index >= layout.binCount) return { x: plotX + plotW + 10, w: EDGE - 20 };
    const per = plotW / layout.binCount;
    return { x: plotX + bin.index * per + 0.5, w: Math.max(1.5, per - 1) };
  };

  function draw() {
    width = svgHost.clientWidth || 600;
    const plotX = GUTTER + EDGE;
    const plotW = Math.max(120, width - plotX - EDGE - 4);
    const binDays = binDaysFor(plotW, 90, 5);
    layout = layoutTimeline(items, app.now(), { days: 90, binDays });
    const clusters = findClusters(layout);
    const height = TOP + 2 * LANE_H + LANE_GAP + AXIS_H + 4;
    geometry = { plotX, plotW, height };
    flat = [];
    svg = s('svg', {
      class: 'timeline-svg', width, height, viewBox: `0 0 ${width} ${height}`, tabindex: 0, role: 'group',
      'aria-roledescription': 'expiry timeline',
      'aria-label': 'Expiry timeline. Use the arrow keys to move between days, Enter to select those credentials in the list.',
      'aria-describedby': 'timeline-desc',
    });
    const laneTop = (i) => TOP + i * (LANE_H + LANE_GAP);

    // Grid and ticks first, bars on top.
    const axisY = laneTop(1) + LANE_H + 4;
    for (const t of ticks(layout.now, layout.days)) {
      const x = plotX + (t.day / layout.days) * plotW;
      svg.append(s('line', { class: 'tl-grid', x1: x, x2: x, y1: TOP - 2, y2: axisY }));
      svg.append(s('text', { class: 'tl-tick', x, y: axisY + 14, 'text-anchor': t.day === 0 ? 'start' : t.day === layout.days ? 'end' : 'middle' }, t.label));
    }
    svg.append(s('text', { class: 'tl-tick tl-edge', x: GUTTER + EDGE / 2, y: axisY + 14, 'text-anchor': 'middle' }, 'ended'));
    svg.append(s('text', { class: 'tl-tick tl-edge', x: plotX + plotW + EDGE / 2, y: axisY + 14, 'text-anchor': 'middle' }, 'later'));

    layout.lanes.forEach((lane, li) => {
      const top = laneTop(li);
      const base = top + LANE_H;
      svg.append(s('rect', { class: 'tl-lane', x: GUTTER, y: top, width: width - GUTTER - 2, height: LANE_H, rx: 6 }));
      svg.append(s('text', { class: 'tl-lane-label', x: 0, y: top + 17 }, lane.label));
      const sub = lane.unknown ? `${lane.total.toLocaleString()} \u00b7 ${lane.unknown.toLocaleString()} unknown` : lane.total.toLocaleString();
      svg.append(s('text', { class: 'tl-lane-sub', x: 0, y: top + 32 }, sub));
      for (const c of clusters.filter((x) => x.lane === lane.key)) {
        const per = plotW / layout.binCount;
        svg.append(s('rect', { class: 'tl-cluster', x: plotX + c.firstBin * per - 2, y: top + 2, width: (c.lastBin - c.firstBin + 1) * per + 4, height: LANE_H - 4, rx: 4 }));
      }
      const bins = [...lane.bins.values()].sort((a, b) => a.index - b.index);
      for (const bin of bins) {
        const { x, w } = xForBin(bin);
        const total = barHeight(bin.ids.length, layout.max, LANE_H - 6);
        const attention = bin.attention ? Math.max(2, Math.round((total * bin.attention) / bin.ids.length)) : 0;
        const flatIndex = flat.length;
        flat.push({ bin, lane: li, x, w, top, base });
        const g = s('g', { class: ['tl-bin', `tl-${lane.key}`, bin.index === ENDED && 'tl-ended'].filter(Boolean).join(' '), 'data-flat': flatIndex });
        g.append(s('rect', { class: 'tl-hit', x: x - 1, y: top, width: w + 2, height: LANE_H }));
        g.append(s('rect', { class: 'tl-bar', x, y: base - total, width: w, height: total - attention, rx: Math.min(2, w / 2) }));
        if (attention) g.append(s('rect', { class: 'tl-bar-attention', x, y: base - attention, width: w, height: attention }));
        svg.append(g);
      }
    });
    svg.append(s('rect', { class: 'tl-focus', x: 0, y: 0, width: 0, height: 0, rx: 3, visibility: 'hidden' }));

    svg.addEventListener('mousemove', onMove);
    svg.addEventListener('mouseleave', () => {
      hovered = null;
      if (document.activeElement !== svg) hideTooltip();
      markHover();
    });
    svg.addEventListener('click', onClick);
    svg.addEventListener('keydown', onKey);
    svg.addEventListener('focus', () => {
      if (focusIndex < 0 && flat.length) focusIndex = 0;
      showFocus();
    });
    svg.addEventListener('blur', () => {
      hideTooltip();
      svg.querySelector('.tl-focus').setAttribute('visibility', 'hidden');
    });
    const hadFocus = svgHost.contains(document.activeElement);
    replace(svgHost, svg);
    if (hadFocus) svg.focus({ preventScroll: true });
    if (focusIndex >= flat.length) focusIndex = flat.length - 1;

    replace(clustersHost, clusters.map((c) => h('button', {
      type: 'button', class: 'chip chip-button',
      title: 'Select these credentials in the list',
      text: describeCluster(c),
      on: { click: () => onSelectIds(c.ids, describeCluster(c)) },
    })));
    description.textContent = summaryText(clusters);
  }

  function summaryText(clusters) {
    const [access, refresh] = layout.lanes;
    const parts = [`${access.total} access tokens and ${refresh.total} refresh tokens have a known end.`];
    const ended = (access.bins.get(ENDED)?.ids.length ?? 0);
    if (ended) parts.push(`${ended} access tokens have ended.`);
    for (const c of clusters) parts.push(`${describeCluster(c)}.`);
    return parts.join(' ');
  }

  function binAt(event) {
    const rect = svg.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    let best = null;
    for (let i = 0; i < flat.length; i += 1) {
      const f = flat[i];
      if (y < f.top || y > f.base) continue;
      const d = x < f.x ? f.x - x : x > f.x + f.w ? x - f.x - f.w : 0;
      if (d <= 3 && (!best || d < best.d)) best = { i, d };
    }
    return best ? best.i : null;
  }

  function markHover() {
    for (const g of svg.querySelectorAll('.tl-bin.is-hover')) g.classList.remove('is-hover');
    if (hovered !== null) svg.querySelector(`[data-flat="${hovered}"]`)?.classList.add('is-hover');
  }

  function showTooltip(i) {
    const f = flat[i];
    tooltip.textContent = describeBin(f.bin, layout, (id) => app.nameOf(id));
    tooltip.hidden = false;
    const tipW = Math.min(320, Math.max(180, width * 0.4));
    tooltip.style.width = `${tipW}px`;
    const left = Math.min(Math.max(0, f.x + f.w / 2 - tipW / 2), width - tipW);
    tooltip.style.left = `${left}px`;
    const below = f.lane === 0;
    tooltip.style.top = below ? `${f.base + 8}px` : '';
    tooltip.style.bottom = below ? '' : `${geometry.height - f.top + 8}px`;
  }

  function hideTooltip() {
    tooltip.hidden = true;
  }

  function onMove(event) {
    const i = binAt(event);
    if (i === hovered) return;
    hovered = i;
    markHover();
    if (i === null) hideTooltip();
    else showTooltip(i);
    svg.style.cursor = i === null ? '' : 'pointer';
  }

  function selectFlat(i) {
    const { bin } = flat[i];
    const text = describeBin(bin, layout, (id) => app.nameOf(id), 0).replace(/: $/, '');
    onSelectIds(bin.ids, text);
  }

  function onClick(event) {
    const i = binAt(event);
    if (i === null) return;
    focusIndex = i;
    selectFlat(i);
  }

  function showFocus() {
    const rect = svg.querySelector('.tl-focus');
    if (focusIndex < 0 || !flat[focusIndex]) {
      rect.setAttribute('visibility', 'hidden');
      return;
    }
    const f = flat[focusIndex];
    rect.setAttribute('x', f.x - 3);
    rect.setAttribute('y', f.top + 1);
    rect.setAttribute('width', f.w + 6);
    rect.setAttribute('height', f.base - f.top - 2);
    rect.setAttribute('visibility', 'visible');
    showTooltip(focusIndex);
    announce(tooltip.textContent);
  }

  function onKey(event) {
    if (!flat.length) return;
    const current = flat[focusIndex] ?? flat[0];
    let next = null;
    switch (event.key) {
      case 'ArrowRight':
        next = flat.findIndex((f, i) => i > focusIndex && f.lane === current.lane);
        break;
      case 'ArrowLeft':
        for (let i = focusIndex - 1; i >= 0; i -= 1) if (flat[i].lane === current.lane) { next = i; break; }
        break;
      case 'ArrowDown':
      case 'ArrowUp': {
        const lane = event.key === 'ArrowDown' ? current.lane + 1 : current.lane - 1;
        let best = null;
        flat.forEach((f, i) => {
          if (f.lane !== lane) return;
          const d = Math.abs(f.x - current.x);
          if (!best || d < best.d) best = { i, d };
        });
        next = best?.i ?? null;
        break;
      }
      case 'Home':
        next = flat.findIndex((f) => f.lane === current.lane);
        break;
      case 'End':
        next = flat.findLastIndex((f) => f.lane === current.lane);
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        selectFlat(focusIndex < 0 ? 0 : focusIndex);
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next !== null && next >= 0) {
      focusIndex = next;
      showFocus();
    }
  }

  let pending = 0;
  const schedule = () => {
    if (!pending) pending = requestAnimationFrame(() => { pending = 0; if (el.isConnected && !el.closest('[hidden]')) draw(); });
  };
  new ResizeObserver(() => {
    if (Math.abs((svgHost.clientWidth || 0) - width) > 1) schedule();
  }).observe(svgHost);

  return {
    el,
    clusters: clustersHost,
    setItems(list) {
      items = list;
      schedule();
    },
    redraw: schedule,
  };
}
