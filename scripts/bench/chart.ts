// docs/benchmarks.svg: a hand-written horizontal bar chart of median req/s per target, with the
// min–max over rounds as a whisker. No dependencies.
import type { Target } from './report.ts';
import type { Machine } from './setup.ts';
import { fmt, spread } from './stats.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = { reference: '#8a94a6', uncached: '#e07b39', cached: '#2f9e6b' };

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw)!;
}

export function chartSvg(targets: readonly Target[], machine: Machine): string {
  const rows = targets.filter((t) => t.results.length).map((t) => ({ t, s: spread(t.results.map((r) => r.rps)) }));
  const labelW = 390;
  const barW = 430;
  const rowH = 24;
  const top = 44;
  const width = labelW + barW + 110;
  const height = top + rows.length * rowH + 52;
  const step = niceStep(Math.max(...rows.map((r) => r.s.max)) / 5);
  const max = Math.ceil((Math.max(...rows.map((r) => r.s.max)) * 1.02) / step) * step;
  const x = (v: number) => labelW + (v / max) * barW;
  const ticks = Array.from({ length: Math.round(max / step) }, (_, i) => step * (i + 1));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="600">tools/call requests per second (median, whisker = min–max over rounds)</text>`,
    `<text x="12" y="36" fill="#555">${esc(`${machine.cpu}, ${machine.cores} cores · Bun ${machine.bun} · Node ${machine.node} · wrk ${machine.wrk}`)}</text>`,
    ...ticks.map(
      (v) =>
        `<line x1="${x(v).toFixed(1)}" y1="${top - 4}" x2="${x(v).toFixed(1)}" y2="${top + rows.length * rowH}" stroke="#e5e7eb"/>` +
        `<text x="${x(v).toFixed(1)}" y="${top + rows.length * rowH + 14}" text-anchor="middle" fill="#777">${fmt(v, 0)}</text>`,
    ),
  ];
  rows.forEach(({ t, s }, i) => {
    const y = top + i * rowH;
    const color = t.group === 'reference' ? COLORS.reference : t.path === 'cached' ? COLORS.cached : COLORS.uncached;
    out.push(
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(t.label)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${(x(s.median) - labelW).toFixed(1)}" height="${rowH - 8}" fill="${color}" rx="2"/>`,
      `<line x1="${x(s.min).toFixed(1)}" y1="${y + rowH / 2}" x2="${x(s.max).toFixed(1)}" y2="${y + rowH / 2}" stroke="#222" stroke-width="1"/>`,
      `<text x="${(x(s.max) + 6).toFixed(1)}" y="${y + 15}" fill="#333">${fmt(s.median, 0)}</text>`,
    );
  });
  const ly = height - 8;
  out.push(
    ...Object.entries({ 'reference servers': COLORS.reference, 'Nexus uncached': COLORS.uncached, 'Nexus cached': COLORS.cached }).map(
      ([name, c], i) =>
        `<rect x="${labelW + i * 150}" y="${ly - 10}" width="12" height="12" fill="${c}"/><text x="${labelW + i * 150 + 18}" y="${ly}">${name}</text>`,
    ),
    '</svg>',
    '',
  );
  return out.join('\n');
}
