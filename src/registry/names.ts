// Tool names: the one pattern a declared name must match, also checked first on every name a client
// sends, so an arbitrary string never reaches a map, a metric label, a log line or an audit row.
export const TOOL_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';
const TOOL_NAME = new RegExp(TOOL_NAME_PATTERN);

export const isToolName = (name: unknown): name is string => typeof name === 'string' && TOOL_NAME.test(name);

/** The metric label every unknown, denied or malformed tool name is counted under. */
export const UNKNOWN_TOOL_LABEL = '(unknown)';

/** A client-sent name as it may be recorded (audit, logs, errors): at most 64 characters. */
export function clipName(name: unknown): string {
  const s = typeof name === 'string' ? name : String(name);
  return s.length > 64 ? `${s.slice(0, 64)}...(${s.length} chars)` : s;
}
