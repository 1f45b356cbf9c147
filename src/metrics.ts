// Prometheus-style counters and histograms, kept in process and rendered at /metrics.
export type Labels = Readonly<Record<string, string>>;

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  observe(name: string, value: number, labels?: Labels): void;
  /** A gauge: the current value of a state (breaker state, calls in flight). */
  set(name: string, value: number, labels?: Labels): void;
  /** A gauge read when /metrics is scraped (queue lengths, availability): nothing to update per call. */
  gauge(name: string, read: () => number, labels?: Labels): void;
  /** Prometheus text exposition format. */
  render(): string;
}

/** `# HELP` text of every metric Nexus exports (README, Operations). */
export const METRIC_HELP: Readonly<Record<string, string>> = {
  nexus_tool_calls_total: 'Tool calls by tool and outcome (ok, denied, limited, invalid, error, timeout).',
  nexus_tool_call_seconds: 'Tool call latency in seconds, by tool.',
  nexus_backend_errors_total: 'Backend calls that failed (unreachable, timeout, TLS, ...), by tool and error code.',
  nexus_cache_hits_total: 'Cacheable calls answered from the response cache, by tool.',
  nexus_cache_misses_total: 'Cacheable calls not in the response cache, by tool.',
  nexus_cache_coalesced_total: 'Calls that waited for an identical call in flight instead of calling the backend, by tool.',
  nexus_cache_unavailable_total: 'Response cache operations that failed (Redis unavailable), by operation.',
  nexus_rate_limit_decisions_total: 'Rate limit decisions for calls with limits: allowed, or refused by the named limit.',
  nexus_rate_limiter_unavailable_total: 'Limit checks made while the shared limiter was unavailable, by fail mode.',
  nexus_vault_operations_total: 'Vault operations, by operation.',
  nexus_audit_dropped_total: 'Audit records dropped because the queue was full or the store kept failing.',
  nexus_token_refreshes_total: 'OAuth2 access tokens requested from token endpoints, by outcome (ok, refused, unreachable).',
  nexus_backend_breaker_state: 'Circuit breaker of each backend: 0 closed, 1 half-open (probing), 2 open (calls refused).',
  nexus_backend_shed_total: 'Backend calls refused at once because a budget of calls in flight was full, by backend and budget.',
  nexus_backend_retries_total: 'Backend calls retried (connection failure, 502, 503, 504), by backend.',
  nexus_backend_circuit_refused_total: 'Calls refused because the backend circuit breaker was open, by backend.',
  nexus_store_stale_total: 'Client keys or credentials served from memory because the store did not answer, by kind.',
  nexus_audit_pending: 'Audit records queued for the store, not yet written.',
  nexus_audit_export_pending: 'Audit records queued for an export target (stdout, file, syslog, otlp), not yet sent.',
  nexus_audit_export_dropped_total: 'Audit records an export target dropped because it fell behind (its queue was full).',
  nexus_audit_export_failures_total: 'Failed attempts to send a batch of audit records to an export target (retried).',
  nexus_dependency_up: 'Whether a dependency answers: store (SQLite or PostgreSQL) and redis; 1 up, 0 down.',
};

const header = (name: string, type: 'counter' | 'histogram' | 'gauge') => [
  ...(METRIC_HELP[name] ? [`# HELP ${name} ${METRIC_HELP[name]}`] : []),
  `# TYPE ${name} ${type}`,
];

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const keyOf = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`)
    .join(',');
// Callers on the hot path pass the same (frozen-by-convention) label object each time: its key is kept
const keys = new WeakMap<Labels, string>();
const key = (labels?: Labels) => {
  if (!labels) return '';
  let k = keys.get(labels);
  if (k === undefined) keys.set(labels, (k = keyOf(labels)));
  return k;
};

/** Series per metric at most; beyond it new label sets share one `overflow="true"` series (bounded memory). */
export const MAX_SERIES_PER_METRIC = 20_000;
const OVERFLOW = 'overflow="true"';
const seriesKey = (series: ReadonlyMap<string, unknown>, labels?: Labels) => {
  const k = key(labels);
  return series.size < MAX_SERIES_PER_METRIC || series.has(k) ? k : OVERFLOW;
};

export function createMetrics(): Metrics {
  const counters = new Map<string, Map<string, number>>();
  const hists = new Map<string, Map<string, { buckets: number[]; sum: number; count: number }>>();
  const gauges = new Map<string, Map<string, number | (() => number)>>();
  const gaugeSeries = (name: string) => {
    let series = gauges.get(name);
    if (!series) gauges.set(name, (series = new Map()));
    return series;
  };
  return {
    set(name, value, labels) {
      gaugeSeries(name).set(key(labels), value);
    },
    gauge(name, read, labels) {
      gaugeSeries(name).set(key(labels), read);
    },
    inc(name, labels, by = 1) {
      let series = counters.get(name);
      if (!series) counters.set(name, (series = new Map()));
      const k = seriesKey(series, labels);
      series.set(k, (series.get(k) ?? 0) + by);
    },
    observe(name, value, labels) {
      let series = hists.get(name);
      if (!series) hists.set(name, (series = new Map()));
      const k = seriesKey(series, labels);
      let h = series.get(k);
      if (!h) series.set(k, (h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
      for (let i = 0; i < BUCKETS.length; i++) if (value <= BUCKETS[i]!) h.buckets[i]!++;
      h.sum += value;
      h.count++;
    },
    render() {
      const out: string[] = [];
      for (const [name, series] of counters) {
        out.push(...header(name, 'counter'));
        for (const [k, v] of series) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
      }
      for (const [name, series] of gauges) {
        out.push(...header(name, 'gauge'));
        for (const [k, v] of series) out.push(`${name}${k ? `{${k}}` : ''} ${typeof v === 'function' ? v() : v}`);
      }
      for (const [name, series] of hists) {
        out.push(...header(name, 'histogram'));
        for (const [k, h] of series) {
          const sep = k ? ',' : '';
          for (const [i, b] of BUCKETS.entries()) out.push(`${name}_bucket{${k}${sep}le="${b}"} ${h.buckets[i]}`);
          out.push(`${name}_bucket{${k}${sep}le="+Inf"} ${h.count}`);
          out.push(`${name}_sum${k ? `{${k}}` : ''} ${h.sum}`);
          out.push(`${name}_count${k ? `{${k}}` : ''} ${h.count}`);
        }
      }
      return `${out.join('\n')}\n`;
    },
  };
}
