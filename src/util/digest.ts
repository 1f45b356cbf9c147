// SHA-256 digests of call arguments: one canonical text and one hash per call, shared by the audit
// row (args_hash) and the cache key.
import { canonicalJson } from './canonical-json.ts';

// one-shot: a CryptoHasher object per digest costs about three times as much (two digests per cached call)
export const sha256Hex = (text: string): string => Bun.SHA256.hash(text, 'hex');

/** SHA-256 (hex) of the canonical JSON of the arguments: equal arguments in any key order, equal hash. */
export const argsDigest = (args: unknown): string => sha256Hex(canonicalJson(args));
