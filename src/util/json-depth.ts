// Whether a parsed JSON value nests deeper than a limit, without recursion (hostile input cannot
// overflow the stack), stopping at the first path that does.
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length) {
    const v = stack.pop()!;
    const d = depths.pop()!;
    if (d > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      if (c === null || typeof c !== 'object') continue;
      stack.push(c);
      depths.push(d + 1);
    }
  }
  return false;
}
