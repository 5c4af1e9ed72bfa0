// The expiry timeline's model: every credential's access and refresh ends binned on one axis from
// now to `days` ahead, with tokens already ended and tokens ending later in edge bins, and the
// clusters worth pointing at (a bulk import's refresh tokens all ending in one week).
// Pure: the view only turns bins into rectangles.

import { toMs, units, day } from './time.js';
import { effectiveHealth } from './listing.js';

export const LANES = [
  { key: 'access', field: 'access_expires_at', label: 'Access tokens', noun: 'access token' },
  { key: 'refresh', field: 'refresh_expires_at', label: 'Refresh tokens', noun: 'refresh token' },
];

/** Bin index of tokens that have ended already; the last index (binCount) holds "later". */
export const ENDED = -1;

/**
 * Bins per lane. `binDays` days per bin (1 unless the plot is too narrow to show days).
 * Returns { now, days, binDays, binCount, lanes: [{key, label, bins: Map index->bin, unknown,
 * total, max}], max } where bin = { lane, index, start, end, ids, attention }.
 */
export function layoutTimeline(list, now, { days = 90, binDays = 1 } = {}) {
  const binMs = binDays * units.DAY;
  const binCount = Math.ceil(days / binDays);
  const horizon = now + days * units.DAY;
  let max = 0;
  const lanes = LANES.map((lane) => {
    const bins = new Map();
    let unknown = 0;
    let total = 0;
    for (const c of list) {
      const at = toMs(c[lane.field]);
      if (at === null) {
        // A personal access token has no refresh token: not "unknown", just absent.
        if (lane.key === 'access' || c.kind !== 'personal') unknown += 1;
        continue;
      }
      total += 1;
      const index = at <= now ? ENDED : at > horizon ? binCount : Math.min(binCount - 1, Math.floor((at - now) / binMs));
      let bin = bins.get(index);
      if (!bin) {
        const start = index === ENDED ? -Infinity : now + index * binMs;
        const end = index === ENDED ? now : index === binCount ? Infinity : Math.min(horizon, start + binMs);
        bin = { lane: lane.key, index, start, end, ids: [], attention: 0 };
        bins.set(index, bin);
      }
      bin.ids.push(c.id);
      if (effectiveHealth(c) === 'needs-attention') bin.attention += 1;
    }
    let laneMax = 0;
    for (const bin of bins.values()) laneMax = Math.max(laneMax, bin.ids.length);
    max = Math.max(max, laneMax);
    return { key: lane.key, label: lane.label, noun: lane.noun, bins, unknown, total, max: laneMax };
  });
  return { now, days, binDays, binCount, lanes, max };
}

/** Days per bin so that no bin is narrower than `minBinPx` on a plot `plotWidth` wide. */
export function binDaysFor(plotWidth, days = 90, minBinPx = 6) {
  return Math.max(1, Math.ceil((days * minBinPx) / Math.max(1, plotWidth)));
}

/**
 * Height of a bar for `count` tokens: square-root scale so one token stays visible beside
 * hundreds, never below `minPx`.
 */
export function barHeight(count, max, maxPx, minPx = 3) {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(minPx, Math.round(maxPx * Math.sqrt(count / max)));
}

/**
 * Clusters: the `windowDays` stretches holding the most ends, each at least `minShare` of the lane's
 * dated tokens and at least `minCount`, not overlapping, at most `limit` per lane, soonest first.
 * Only refresh tokens by default: access tokens all end within two weeks and renew themselves,
 * while refresh tokens ending together after a bulk import all need a person together.
 */
export function findClusters(layout, { windowDays = 7, minShare = 0.2, minCount = 10, limit = 3, lanes = ['refresh'] } = {}) {
  const out = [];
  const width = Math.max(1, Math.round(windowDays / layout.binDays));
  for (const lane of layout.lanes.filter((l) => lanes.includes(l.key))) {
    const counts = new Array(layout.binCount).fill(0);
    for (const [index, bin] of lane.bins) if (index >= 0 && index < layout.binCount) counts[index] = bin.ids.length;
    const threshold = Math.max(minCount, Math.ceil(lane.total * minShare));
    const candidates = [];
    for (let start = 0; start + width <= layout.binCount; start += 1) {
      let sum = 0;
      for (let i = start; i < start + width; i += 1) sum += counts[i];
      if (sum >= threshold) candidates.push({ start, sum });
    }
    candidates.sort((a, b) => b.sum - a.sum || a.start - b.start);
    const taken = [];
    for (const c of candidates) {
      if (taken.length >= limit) break;
      if (taken.some((t) => c.start < t.start + width && t.start < c.start + width)) continue;
      taken.push(c);
    }
    for (const t of taken.sort((a, b) => a.start - b.start)) {
      // Trim empty days at the edges so the label names the real span.
      let first = t.start;
      let last = t.start + width - 1;
      while (counts[first] === 0) first += 1;
      while (counts[last] === 0) last -= 1;
      const ids = [];
      for (let i = first; i <= last; i += 1) {
        const bin = lane.bins.get(i);
        if (bin) ids.push(...bin.ids);
      }
      out.push({
        lane: lane.key,
        noun: lane.noun,
        firstBin: first,
        lastBin: last,
        start: layout.now + first * layout.binDays * units.DAY,
        end: layout.now + (last + 1) * layout.binDays * units.DAY,
        count: t.sum,
        ids,
      });
    }
  }
  return out;
}

/** Tick marks: today, then every week or month depending on the span. */
export function ticks(now, days = 90) {
  const step = days > 45 ? 15 : 7;
  const out = [{ day: 0, at: now, label: 'Now' }];
  for (let d = step; d <= days; d += step) out.push({ day: d, at: now + d * units.DAY, label: day(now + d * units.DAY) });
  return out;
}

function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** When a bin's tokens end, in words. */
export function binWhen(bin, layout) {
  if (bin.index === ENDED) return 'ended already';
  if (bin.index >= layout.binCount) return `end after ${layout.days} days`;
  const lastDay = bin.start + (layout.binDays - 1) * units.DAY;
  return layout.binDays === 1 ? `end ${day(bin.start)}` : `end ${day(bin.start)} \u2013 ${day(lastDay)}`;
}

/**
 * What hovering a bin says: "3 refresh tokens end Mar 3: Acme, Globex, Initech (1 needs
 * attention)", naming at most `limit` credentials.
 */
export function describeBin(bin, layout, nameOf, limit = 6) {
  const lane = LANES.find((l) => l.key === bin.lane);
  const names = bin.ids.slice(0, limit).map(nameOf);
  const more = bin.ids.length - names.length;
  const list = names.join(', ') + (more > 0 ? ` and ${more} more` : '');
  const attention = bin.attention ? ` (${bin.attention} need${bin.attention === 1 ? 's' : ''} attention)` : '';
  const count = plural(bin.ids.length, lane.noun);
  return `${count} ${binWhen(bin, layout)}: ${list}${attention}`;
}

export function describeCluster(cluster) {
  return `${plural(cluster.count, cluster.noun)} end ${day(cluster.start)} \u2013 ${day(cluster.end - units.DAY)}`;
}

/** Bins in drawing and keyboard order: access lane then refresh lane, ended first, later last. */
export function orderedBins(layout) {
  const out = [];
  for (const lane of layout.lanes) out.push(...[...lane.bins.values()].sort((a, b) => a.index - b.index));
  return out;
}
