// Prometheus metrics, kept in process and rendered at /metrics in the text exposition format.
// Every metric is a row of METRICS (name, type, help): a name not in the table does not compile.
import { readdirSync } from 'node:fs';

export type Labels = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Every metric Nexus exports: add a row here to add one (its `# HELP` text is required). */
export const METRICS = {
  nexus_build_info: { type: 'gauge', help: 'Always 1; labels name the version and commit of this build.' },
  nexus_tools_loaded: { type: 'gauge', help: 'Tools in the served catalogue (after a reload: the new set).' },
  nexus_sse_sessions: { type: 'gauge', help: 'HTTP+SSE (2024-11-05) sessions open on this instance.' },
  nexus_resource_subscriptions: { type: 'gauge', help: 'Resource subscriptions this instance holds at federated servers.' },
  nexus_notification_streams: { type: 'gauge', help: '2025-11-25 GET streams and HTTP+SSE sessions hearing resource updates here.' },
  nexus_tool_calls_total: { type: 'counter', help: 'Tool calls by tool and outcome (ok, denied, limited, invalid, error, timeout).' },
  nexus_tool_call_seconds: { type: 'histogram', help: 'Tool call latency in seconds, by tool.' },
  nexus_output_mismatches_total: {
    type: 'counter',
    help: 'Answers that did not match the output schema of a tool with output_check: warn (passed on), by tool.',
  },
  nexus_backend_errors_total: {
    type: 'counter',
    help: 'Backend calls that failed (unreachable, timeout, TLS, ...), by tool and error code.',
  },
  nexus_cache_hits_total: { type: 'counter', help: 'Cacheable calls answered from the response cache, by tool.' },
  nexus_cache_misses_total: { type: 'counter', help: 'Cacheable calls not in the response cache, by tool.' },
  nexus_cache_coalesced_total: {
    type: 'counter',
    help: 'Calls that waited for an identical call in flight instead of calling the backend, by tool.',
  },
  nexus_cache_unavailable_total: { type: 'counter', help: 'Response cache operations that failed (Redis unavailable), by operation.' },
  nexus_rate_limit_decisions_total: {
    type: 'counter',
    help: 'Rate limit decisions for calls with limits: allowed, or refused by the named limit.',
  },
  nexus_rate_limiter_unavailable_total: {
    type: 'counter',
    help: 'Limit checks made while the shared limiter was unavailable, by fail mode.',
  },
  nexus_vault_operations_total: { type: 'counter', help: 'Vault operations, by operation.' },
  nexus_audit_dropped_total: { type: 'counter', help: 'Audit records dropped because the queue was full or the store kept failing.' },
  nexus_token_refreshes_total: {
    type: 'counter',
    help: 'OAuth2 access tokens requested from token endpoints, by outcome (ok, refused, unreachable).',
  },
  nexus_backend_breaker_state: {
    type: 'gauge',
    help: 'Circuit breaker of each backend: 0 closed, 1 half-open (probing), 2 open (calls refused).',
  },
  nexus_backend_shed_total: {
    type: 'counter',
    help: 'Backend calls refused at once because a budget of calls in flight was full, by backend and budget.',
  },
  nexus_backend_retries_total: { type: 'counter', help: 'Backend calls retried (connection failure, 502, 503, 504), by backend.' },
  nexus_backend_circuit_refused_total: { type: 'counter', help: 'Calls refused because the backend circuit breaker was open, by backend.' },
  nexus_store_stale_total: {
    type: 'counter',
    help: 'Client keys or credentials served from memory because the store did not answer, by kind.',
  },
  nexus_audit_pending: { type: 'gauge', help: 'Audit records queued for the store, not yet written.' },
  nexus_audit_export_pending: {
    type: 'gauge',
    help: 'Audit records queued for an export target (stdout, file, syslog, otlp), not yet sent.',
  },
  nexus_audit_export_dropped_total: {
    type: 'counter',
    help: 'Audit records an export target dropped because it fell behind (its queue was full).',
  },
  nexus_audit_export_failures_total: {
    type: 'counter',
    help: 'Failed attempts to send a batch of audit records to an export target (retried).',
  },
  nexus_dependency_up: { type: 'gauge', help: 'Whether a dependency answers: store (SQLite or PostgreSQL) and redis; 1 up, 0 down.' },
} as const satisfies Record<string, { type: MetricType; help: string }>;

export type MetricName = keyof typeof METRICS;
type NamesOf<T extends MetricType> = { [K in MetricName]: (typeof METRICS)[K]['type'] extends T ? K : never }[MetricName];
export type CounterName = NamesOf<'counter'>;
export type GaugeName = NamesOf<'gauge'>;
export type HistogramName = NamesOf<'histogram'>;

/** `# HELP` text by metric name (README, Operations). */
export const METRIC_HELP: Readonly<Record<MetricName, string>> = Object.fromEntries(
  Object.entries(METRICS).map(([name, m]) => [name, m.help]),
) as Record<MetricName, string>;

export interface Metrics {
  inc(name: CounterName, labels?: Labels, by?: number): void;
  observe(name: HistogramName, value: number, labels?: Labels): void;
  /** A gauge: the current value of a state (breaker state, calls in flight). */
  set(name: GaugeName, value: number, labels?: Labels): void;
  /** A gauge read when /metrics is scraped (queue lengths, availability, tools loaded): nothing to update per call. */
  gauge(name: GaugeName, read: () => number, labels?: Labels): void;
  /** Prometheus text exposition format, process metrics included. */
  render(): string;
}

/** HELP text escapes backslash and newline; label values also the double quote (exposition format). */
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
export const escapeLabelValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const header = (name: string, type: MetricType, help: string) => [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const keyOf = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabelValue(String(labels[k]))}"`)
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

export interface MetricsOptions {
  /** Labels of nexus_build_info (absent: no build info series). */
  readonly build?: { readonly version: string; readonly commit: string };
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const counters = new Map<string, Map<string, number>>();
  const hists = new Map<string, Map<string, { buckets: number[]; sum: number; count: number }>>();
  const gauges = new Map<string, Map<string, number | (() => number)>>();
  const gaugeSeries = (name: string) => {
    let series = gauges.get(name);
    if (!series) gauges.set(name, (series = new Map()));
    return series;
  };
  const metrics: Metrics = {
    set(name, value, labels) {
      const series = gaugeSeries(name);
      series.set(seriesKey(series, labels), value);
    },
    gauge(name, read, labels) {
      const series = gaugeSeries(name);
      series.set(seriesKey(series, labels), read);
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
      const help = (name: string) => METRICS[name as MetricName].help;
      for (const [name, series] of counters) {
        out.push(...header(name, 'counter', help(name)));
        for (const [k, v] of series) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
      }
      for (const [name, series] of gauges) {
        out.push(...header(name, 'gauge', help(name)));
        for (const [k, v] of series) out.push(`${name}${k ? `{${k}}` : ''} ${typeof v === 'function' ? v() : v}`);
      }
      for (const [name, series] of hists) {
        out.push(...header(name, 'histogram', help(name)));
        for (const [k, h] of series) {
          const sep = k ? ',' : '';
          for (const [i, b] of BUCKETS.entries()) out.push(`${name}_bucket{${k}${sep}le="${b}"} ${h.buckets[i]}`);
          out.push(`${name}_bucket{${k}${sep}le="+Inf"} ${h.count}`);
          out.push(`${name}_sum${k ? `{${k}}` : ''} ${h.sum}`);
          out.push(`${name}_count${k ? `{${k}}` : ''} ${h.count}`);
        }
      }
      for (const p of processMetrics()) out.push(...header(p.name, p.type, p.help), `${p.name} ${p.value}`);
      return `${out.join('\n')}\n`;
    },
  };
  if (opts.build) metrics.set('nexus_build_info', 1, Object.freeze({ version: opts.build.version, commit: opts.build.commit }));
  return metrics;
}

// The standard process metrics of Prometheus client libraries (same names, units and types)
const START_TIME_SECONDS = performance.timeOrigin / 1000;

function processMetrics(): Array<{ name: string; type: MetricType; help: string; value: number }> {
  const cpu = process.cpuUsage();
  const out = [
    {
      name: 'process_cpu_seconds_total',
      type: 'counter' as const,
      help: 'Total user and system CPU time spent in seconds.',
      value: (cpu.user + cpu.system) / 1e6,
    },
    {
      name: 'process_resident_memory_bytes',
      type: 'gauge' as const,
      help: 'Resident memory size in bytes.',
      value: process.memoryUsage.rss(),
    },
    {
      name: 'process_start_time_seconds',
      type: 'gauge' as const,
      help: 'Start time of the process since unix epoch in seconds.',
      value: START_TIME_SECONDS,
    },
  ];
  const fds = openFds();
  if (fds !== undefined) out.push({ name: 'process_open_fds', type: 'gauge', help: 'Number of open file descriptors.', value: fds });
  return out;
}

/** Open file descriptors (Linux /proc); undefined where there is no /proc. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // the directory handle readdir itself holds
  } catch {
    return undefined;
  }
}
