// Cache keys: `<tool>:<sha256 of (arguments digest, credential identity)>`. Equal arguments in any key
// order give one key; another credential (or another caller's per-user one) gives another. Only a
// digest of the arguments is kept, so nothing a caller sent appears in Redis in clear.
import { NexusError } from '../errors.ts';
import { argsDigest, sha256Hex } from '../util/digest.ts';
import { memoize } from '../util/memo.ts';

const TOOL = /^[^:{}\s]+$/;

export function cacheKey(tool: string, args: unknown, credentialIdentity: string): string {
  return cacheKeyOf(tool, argsDigest(args), credentialIdentity);
}

/** The key from the arguments' digest (`argsDigest`), when the caller has it already. */
export function cacheKeyOf(tool: string, digest: string, credentialIdentity: string): string {
  if (!TOOL.test(tool)) throw new NexusError('INVALID_INPUT', `cache: bad tool name "${tool}"`);
  return `${tool}:${keyHash(`${digest}\n${credentialIdentity}`)}`;
}

// A cached tool is called with the same arguments and credential again and again: each pair is hashed
// once (bounded; every entry is a 64-character digest and a credential identity, no argument text)
const keyHash = memoize(sha256Hex, 10_000);

/** The tool a cache key belongs to. */
export function toolOfKey(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i);
}
