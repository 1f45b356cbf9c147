-- Trace and span ids of each audited call (when tracing is on): an audit row joins its trace and log lines.
ALTER TABLE audit_log ADD COLUMN trace_id TEXT;
ALTER TABLE audit_log ADD COLUMN span_id TEXT;
