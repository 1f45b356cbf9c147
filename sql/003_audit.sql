-- Audit trail: one row per tool call (allowed, denied, limited, failed). Arguments only as a SHA-256
-- hash unless the tool opts in (`audit_arguments`); `args` is then redacted JSON. Never a secret.
CREATE TABLE audit_log (
  time BIGINT NOT NULL,
  request_id TEXT,
  caller TEXT NOT NULL,
  tool TEXT NOT NULL,
  outcome TEXT NOT NULL,
  backend_status INTEGER,
  latency_ms DOUBLE PRECISION,
  cache TEXT,
  rate_limit TEXT,
  args_hash TEXT,
  args TEXT,
  error TEXT
);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_caller_time ON audit_log (caller, time);
CREATE INDEX audit_log_tool_time ON audit_log (tool, time);
