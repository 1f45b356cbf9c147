// Medians and ranges over rounds.
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const spread = (xs: readonly number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** 12345.6 -> "12,346"; 1.234 -> "1.23". */
export function fmt(x: number, digits = x >= 100 ? 0 : 2): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
}

export const fmtSpread = (s: Spread, digits?: number) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
