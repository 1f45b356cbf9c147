// Cache keys: `<tool>:<sha256 of canonical JSON of [arguments, credential identity]>`. Equal arguments
// in any key order give one key; another credential (or another caller's per-user one) gives another.
// Only a digest of the arguments is kept, so nothing a caller sent appears in Redis in clear.
import { createHash } from 'node:crypto';
import { NexusError } from '../errors.ts';
import { canonicalJson } from '../util/canonical-json.ts';

const TOOL = /^[^:{}\s]+$/;

export function cacheKey(tool: string, args: unknown, credentialIdentity: string): string {
  if (!TOOL.test(tool)) throw new NexusError('INVALID_INPUT', `cache: bad tool name "${tool}"`);
  const digest = createHash('sha256').update(canonicalJson([args, credentialIdentity])).digest('hex');
  return `${tool}:${digest}`;
}

/** The tool a cache key belongs to. */
export function toolOfKey(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i);
}
