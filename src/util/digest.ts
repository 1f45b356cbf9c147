// SHA-256 digests of call arguments: one canonical text and one hash per call, shared by the audit
// row (args_hash) and the cache key.
import { canonicalJson } from './canonical-json.ts';

export const sha256Hex = (text: string): string => new Bun.CryptoHasher('sha256').update(text).digest('hex');

/** SHA-256 (hex) of the canonical JSON of the arguments: equal arguments in any key order, equal hash. */
export const argsDigest = (args: unknown): string => sha256Hex(canonicalJson(args));
