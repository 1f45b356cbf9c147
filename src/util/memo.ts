// Values derived from a key, computed once per key: at most `max` are kept, and all are dropped when
// that is reached (the keys are few in practice: statements, tool names, limit names; the bound only
// stops a stream of unknown keys from growing the map).
export function memoize<K extends string | number, V>(make: (key: K) => V, max: number): (key: K) => V {
  const kept = new Map<K, V>();
  return (key) => {
    let v = kept.get(key);
    if (v === undefined) {
      if (kept.size >= max) kept.clear();
      kept.set(key, (v = make(key)));
    }
    return v;
  };
}
