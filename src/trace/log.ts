// Log lines written inside a traced request carry its trace and span ids, so a line, an audit record
// and a trace can be joined. With tracing off the logger is returned unchanged.
import type { Logger } from '../log.ts';
import type { Tracer } from './tracer.ts';

export function traceLogger(log: Logger, tracer: Tracer): Logger {
  if (!tracer.enabled) return log;
  const withIds = (fields?: Record<string, unknown>) => {
    const ids = tracer.active();
    return ids ? { ...fields, traceId: ids.traceId, spanId: ids.spanId } : fields;
  };
  return {
    debug: (m, f) => log.debug(m, withIds(f)),
    info: (m, f) => log.info(m, withIds(f)),
    warn: (m, f) => log.warn(m, withIds(f)),
    error: (m, f) => log.error(m, withIds(f)),
    child: (fields) => traceLogger(log.child(fields), tracer),
  };
}
