// Client keys: `nxs_` + 32 random bytes. Created once, verified on every request, revoked by name.
// Every instance re-reads the active keys at most once a second, so a revoke is effective everywhere
// within a second, and a flood of wrong keys costs no more than one query a second. A revoke is also
// announced (Redis pub/sub), so it reaches an instance that cannot read the store at that moment.
// While the store does not answer, the keys read within the grace period still verify; a key not
// among them gets UNAVAILABLE (it may be new), never a false 401.
import { randomBytes } from 'node:crypto';
import { CALLER_PATTERN, CALLER_PATTERN_HELP } from '../caller.ts';
import type { Changes } from '../db/changes.ts';
import type { Db } from '../db/types.ts';
import { NexusError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { sha256Hex } from '../util/digest.ts';
import { parseDuration } from '../util/duration.ts';
import { createFresh } from '../util/fresh.ts';
import { createKeyStore, type KeyRow, type KeyStore } from './key-store.ts';

export const KEY_PREFIX = 'nxs_';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CACHE_MS = 1000;
const TOUCH_EVERY_MS = 60_000;

/** What `list()` shows: never the key, never its hash. */
export type KeyInfo = Omit<KeyRow, 'hash'>;

export interface CreateKeyOptions {
  /** Tool-name patterns (`jira_*`); default `['*']`. */
  readonly tools?: readonly string[];
  readonly expiresAt?: number;
}

export interface KeyService {
  /** Returns the new key; it is not stored and cannot be shown again. */
  create(name: string, opts?: CreateKeyOptions): Promise<{ key: string; info: KeyInfo }>;
  list(): Promise<KeyInfo[]>;
  revoke(name: string): Promise<void>;
  /** The key's record when it is known, unrevoked and unexpired; undefined otherwise. */
  verify(presented: string): Promise<KeyInfo | undefined>;
  /** Whether any usable key exists (then every /mcp and /api request needs a credential). */
  hasAnyKey(): Promise<boolean>;
}

// Keys are 256-bit random values, so a fast unsalted hash is enough: there is nothing to brute-force.
export const hashKey = (key: string): string => sha256Hex(key);

export const generateKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

/** `--expires 90d` / `"expires": "90d"`: a duration from now, or an ISO date. */
export function parseExpiry(text: string, now = Date.now()): number {
  const ms = parseDuration(text);
  const at = ms !== undefined ? now + ms : Date.parse(text);
  if (Number.isNaN(at)) throw new NexusError('INVALID_INPUT', `expires: expected a duration like 90d or an ISO date, got "${text}"`);
  return at;
}

/** `--tools 'jira_*,crm_get_*'` or a list: trimmed patterns, empty ones dropped. */
export const splitPatterns = (tools: string | readonly string[] | undefined): string[] | undefined =>
  tools === undefined ? undefined : (typeof tools === 'string' ? tools.split(',') : [...tools]).map((t) => t.trim()).filter(Boolean);

const info = ({ hash: _hash, ...rest }: KeyRow): KeyInfo => rest;

export interface KeyServiceOptions {
  readonly log?: Logger;
  readonly now?: () => number;
  /** How old a read of the keys may be to still be used while the store does not answer (default 0). */
  readonly graceMs?: number | (() => number);
  /** Where revocations are announced to every instance. */
  readonly changes?: Changes;
  /** Told when keys are verified from memory because the store did not answer. */
  readonly onStale?: () => void;
}

export function createKeyService(db: Db, opts: KeyServiceOptions = {}): KeyService {
  const store: KeyStore = createKeyStore(db);
  const now = opts.now ?? Date.now;
  const touched = new Map<string, number>();
  const snapshot = createFresh<Map<string, KeyRow>>({
    freshMs: CACHE_MS,
    graceMs: opts.graceMs ?? 0,
    max: 1,
    now,
    ...(opts.onStale && { onStale: opts.onStale }),
  });
  // hashes of keys announced revoked: refused at once, also from a snapshot read before (a hash never
  // comes back; bounded: cleared on overflow, the re-read within a second covers the rest)
  const revoked = new Set<string>();
  const load = async () => {
    try {
      return await snapshot.get('keys', async () => new Map((await store.active(now())).map((r) => [r.hash, r])));
    } catch (e) {
      throw new NexusError('UNAVAILABLE', 'cannot read client keys: the store does not answer', { cause: e });
    }
  };
  const invalidate = () => snapshot.stale('keys');
  const forget = (hash: string) => {
    if (revoked.size >= 10_000) revoked.clear();
    revoked.add(hash);
    invalidate();
  };
  opts.changes?.on('key-revoked', forget);
  opts.changes?.on('key-created', invalidate);

  const touch = (name: string, at: number) => {
    if (at - (touched.get(name) ?? 0) < TOUCH_EVERY_MS) return;
    touched.set(name, at);
    store.touch(name, at).catch((e) => opts.log?.debug('key last-used update failed', { key: name, err: e }));
  };

  return {
    async create(name, o = {}) {
      if (!NAME.test(name)) throw new NexusError('INVALID_INPUT', `key name "${name}" must be letters, digits, _ . - (max 64)`);
      const tools = o.tools?.length ? [...o.tools] : ['*'];
      const bad = tools.filter((p) => !CALLER_PATTERN.test(p));
      if (bad.length) throw new NexusError('INVALID_INPUT', `invalid tool pattern(s): ${bad.join(', ')} (${CALLER_PATTERN_HELP})`);
      if (o.expiresAt !== undefined && o.expiresAt <= now()) throw new NexusError('INVALID_INPUT', 'expiry must be in the future');
      const key = generateKey();
      const row: KeyRow = {
        name,
        hash: hashKey(key),
        tools,
        createdAt: now(),
        ...(o.expiresAt !== undefined && { expiresAt: o.expiresAt }),
      };
      const inserted = await store.insert(row).catch(async (e) => {
        if ((await store.list()).some((r) => r.name === name && r.revokedAt === undefined)) return false;
        throw new NexusError('UNAVAILABLE', 'cannot store the key', { cause: e });
      });
      if (!inserted) throw new NexusError('CONFLICT', `key "${name}" already exists; revoke it first`);
      if (opts.changes) opts.changes.announce('key-created', name);
      else invalidate();
      return { key, info: info(row) };
    },
    list: async () => (await store.list()).map(info),
    async revoke(name) {
      const hash = await store.revoke(name, now());
      if (!hash) throw new NexusError('NOT_FOUND', `no active key named "${name}"`);
      if (opts.changes) opts.changes.announce('key-revoked', hash);
      else forget(hash);
    },
    async verify(presented) {
      if (!presented.startsWith(KEY_PREFIX)) return undefined;
      const hash = hashKey(presented);
      // Found by its hash: comparing hashes of a 256-bit random key in constant time would protect nothing
      const { value: byHash, stale } = await load();
      const row = byHash.get(hash);
      if (!row) {
        if (stale) throw new NexusError('UNAVAILABLE', 'cannot verify the key now: the store does not answer');
        return undefined;
      }
      const at = now();
      if (revoked.has(hash)) return undefined;
      if (row.expiresAt !== undefined && row.expiresAt <= at) return undefined;
      touch(row.name, at);
      return info(row);
    },
    hasAnyKey: async () => (await load()).value.size > 0,
  };
}
