// The window's copy of every credential's status, kept current from the `status` event, which
// carries either the full list or a diff (ui/API.md).

/** Applies a `status` payload to `map` (id -> status) in place; returns whether the set of ids changed. */
export function applyStatus(map, payload) {
  if (!payload) return false;
  if (Array.isArray(payload.credentials)) {
    const before = map.size;
    const fresh = new Set();
    for (const c of payload.credentials) {
      fresh.add(c.id);
      map.set(c.id, c);
    }
    let changed = fresh.size !== before;
    for (const id of [...map.keys()]) {
      if (!fresh.has(id)) {
        map.delete(id);
        changed = true;
      }
    }
    return changed;
  }
  let changed = false;
  for (const c of payload.changed ?? []) {
    if (!map.has(c.id)) changed = true;
    map.set(c.id, c);
  }
  for (const id of payload.removed ?? []) {
    if (map.delete(id)) changed = true;
  }
  return changed;
}
