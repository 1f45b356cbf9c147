// Prometheus-style counters and histograms, kept in process and rendered at /metrics.
export type Labels = Readonly<Record<string, string>>;

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  observe(name: string, value: number, labels?: Labels): void;
  /** Prometheus text exposition format. */
  render(): string;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const keyOf = (labels: Labels) => Object.keys(labels).sort().map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`).join(',');
// Callers on the hot path pass the same (frozen-by-convention) label object each time: its key is kept
const keys = new WeakMap<Labels, string>();
const key = (labels?: Labels) => {
  if (!labels) return '';
  let k = keys.get(labels);
  if (k === undefined) keys.set(labels, (k = keyOf(labels)));
  return k;
};

export function createMetrics(): Metrics {
  const counters = new Map<string, Map<string, number>>();
  const hists = new Map<string, Map<string, { buckets: number[]; sum: number; count: number }>>();
  return {
    inc(name, labels, by = 1) {
      let series = counters.get(name);
      if (!series) counters.set(name, (series = new Map()));
      const k = key(labels);
      series.set(k, (series.get(k) ?? 0) + by);
    },
    observe(name, value, labels) {
      let series = hists.get(name);
      if (!series) hists.set(name, (series = new Map()));
      const k = key(labels);
      let h = series.get(k);
      if (!h) series.set(k, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
      for (let i = 0; i < BUCKETS.length; i++) if (value <= BUCKETS[i]!) h.buckets[i]!++;
      h.sum += value;
      h.count++;
    },
    render() {
      const out: string[] = [];
      for (const [name, series] of counters) {
        out.push(`# TYPE ${name} counter`);
        for (const [k, v] of series) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
      }
      for (const [name, series] of hists) {
        out.push(`# TYPE ${name} histogram`);
        for (const [k, h] of series) {
          const sep = k ? ',' : '';
          BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${k}${sep}le="${b}"} ${h.buckets[i]}`));
          out.push(`${name}_bucket{${k}${sep}le="+Inf"} ${h.count}`);
          out.push(`${name}_sum${k ? `{${k}}` : ''} ${h.sum}`);
          out.push(`${name}_count${k ? `{${k}}` : ''} ${h.count}`);
        }
      }
      return out.join('\n') + '\n';
    },
  };
}
