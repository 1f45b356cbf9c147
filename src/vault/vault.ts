// The credential vault: put/resolve/list/delete over a VaultStore, plus online key rotation.
import { randomUUID } from 'node:crypto';
import type { Changes } from '../db/changes.ts';
import type { Db } from '../db/types.ts';
import { NexusError } from '../errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import { createFresh, type Fresh } from '../util/fresh.ts';
import * as c from './crypto.ts';
import { type CredentialType, checkName, checkPrincipal, checkSecret, isCredentialType, type Secret } from './fields.ts';
import { SecretIndex } from './secret-index.ts';
import { type CredentialRow, VaultStore, type VersionRow } from './store.ts';

export interface CredentialInfo {
  readonly name: string;
  readonly type: CredentialType;
  readonly principal: string | null;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ResolvedCredential {
  readonly name: string;
  readonly type: CredentialType;
  readonly version: number;
  readonly principal: string | null;
  readonly secret: Secret;
}

export interface VaultOptions {
  log?: Logger;
  /** How old a credential read may be to still be used while the store does not answer (default 0). */
  graceMs?: number | (() => number);
  /** Where credential changes are announced to every instance (each drops what it keeps at once). */
  changes?: Changes;
  /** Told when a credential is served from memory because the store did not answer. */
  onStale?: () => void;
  /** Clock, for tests of scheduled rotation. */
  now?: () => number;
  /**
   * The master key as configured now (NEXUS_MASTER_KEY_FILE may have been replaced since start):
   * consulted when the store's key check no longer opens with the key this vault was opened with.
   */
  reloadMasterKey?: () => Uint8Array | undefined;
}

const KEYS_LOCK = 'nexus-vault-keys';
// how long a credential read is reused: a change made on any instance is seen everywhere within it
const RECENT_MS = 1000;
const rowOf = (r: VersionRow): c.SecretRow => ({
  credentialId: r.credential_id,
  name: r.name,
  type: r.type,
  principal: r.principal,
  version: r.version,
});

function info(r: CredentialRow): CredentialInfo {
  if (!isCredentialType(r.type)) throw new NexusError('VAULT_ERROR', `credential "${r.name}" has an unknown type`);
  return { name: r.name, type: r.type, principal: r.principal, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

const owner = (name: string, principal: string | null) => `credential\n${name}\n${principal ?? ''}`;

export class Vault {
  /** What redaction masks: every credential's current values, kept in step with the store. */
  readonly secrets = new SecretIndex();
  /** The version of each credential the index holds. */
  private readonly indexed = new Map<string, number>();
  /** Plain KEKs by version; a KEK's material never changes, only its wrapping. */
  private readonly keks = new Map<number, Uint8Array>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly reloadMaster: (() => Uint8Array | undefined) | undefined;
  /** Credentials (opened) and their metadata as read in the last second, per name and principal. */
  private readonly recent: Fresh<ResolvedCredential | CredentialInfo | undefined>;
  private readonly changes?: Changes;

  private constructor(
    private readonly db: Db,
    private master: Uint8Array,
    opts: VaultOptions,
  ) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.reloadMaster = opts.reloadMasterKey;
    this.recent = createFresh({
      freshMs: RECENT_MS,
      graceMs: opts.graceMs ?? 0,
      max: 10_000,
      now: this.now,
      ...(opts.onStale && { onStale: opts.onStale }),
    });
    if (opts.changes) {
      this.changes = opts.changes;
      opts.changes.on('credential', () => this.recent.drop());
    }
  }

  /** The master key as configured now, if it can be read (an unreadable key file counts as none). */
  private configuredMaster(): Uint8Array | undefined {
    try {
      return this.reloadMaster?.();
    } catch {
      return undefined;
    }
  }

  /**
   * Before anything is sealed under the master key (under the keys lock): the store's key check must
   * open with ours. After `vault rotate-master` elsewhere it does not; a new master key configured
   * meanwhile is picked up, else the operation is refused: a KEK sealed under the old master key
   * would make the vault unopenable with the new one.
   */
  private async assertMaster(store: VaultStore): Promise<void> {
    const check = await store.keyCheck();
    if (!check || c.opensKeyCheck(this.master, check)) return;
    const next = this.configuredMaster();
    if (next && c.opensKeyCheck(next, check)) {
      this.master = next;
      this.log.info('the vault master key was rotated elsewhere; using the new one configured');
      return;
    }
    throw new NexusError(
      'VAULT_ERROR',
      'the vault master key was rotated since this process started (vault rotate-master): restart it with the new master key before rotating keys',
    );
  }

  /** A change to credential name: this instance and (announced) every other forget what they keep. */
  private changed(name: string): void {
    if (this.changes) this.changes.announce('credential', name);
    else this.recent.drop();
  }

  /** Opens the vault, creating its key check and first KEK when new; a wrong master key fails here. */
  static async open(db: Db, masterKey: Uint8Array, opts: VaultOptions = {}): Promise<Vault> {
    const vault = new Vault(db, masterKey, opts);
    await db.withLock(KEYS_LOCK, async (tx) => {
      const store = new VaultStore(tx);
      const check = await store.keyCheck();
      if (check && !c.opensKeyCheck(masterKey, check)) {
        throw new NexusError('VAULT_ERROR', 'the master key does not open this vault (check NEXUS_MASTER_KEY / NEXUS_MASTER_KEY_FILE)');
      }
      if (!check) {
        const kc = c.sealKeyCheck(masterKey);
        await store.saveKeyCheck(kc.nonce, kc.ciphertext, vault.now());
      }
      if (!(await store.currentKek())) await vault.addKek(store, 1);
    });
    await vault.syncSecretIndex();
    return vault;
  }

  /**
   * The index in step with the store: every credential's current values (so answers are masked even
   * before a first use here), also those another instance stored or deleted since the last sync.
   */
  async syncSecretIndex(): Promise<void> {
    const store = new VaultStore(this.db);
    const seen = new Set<string>();
    for (const info of await store.list()) {
      const o = owner(info.name, info.principal);
      seen.add(o);
      if (this.indexed.get(o) === info.version) continue;
      try {
        const r = await store.current(info.name, info.principal);
        if (r) this.open(r);
      } catch (e) {
        this.log.warn('credential does not open; it is not masked until it does', { credential: info.name, err: e });
      }
    }
    for (const o of this.indexed.keys()) {
      if (seen.has(o)) continue;
      this.indexed.delete(o);
      this.secrets.drop(o);
    }
  }

  /** Decrypts a version and records its values in the index. */
  private open(r: VersionRow): { type: CredentialType; secret: Secret } {
    const plain = c.openSecret(this.versionKek(r), r.kek_version, rowOf(r), {
      dek: { nonce: r.dek_nonce, ciphertext: r.wrapped_dek },
      secret: { nonce: r.nonce, ciphertext: r.ciphertext },
    });
    const t = r.type;
    if (!isCredentialType(t)) throw new NexusError('VAULT_ERROR', `credential "${r.name}" has an unknown type`);
    const secret = checkSecret(t, JSON.parse(new TextDecoder().decode(plain)));
    this.secrets.set(owner(r.name, r.principal), Object.values(secret));
    this.indexed.set(owner(r.name, r.principal), r.version);
    return { type: t, secret };
  }

  /** Stops masking this vault's secrets (the process keeps running, e.g. tests, CLI). */
  close(): void {
    this.secrets.close();
  }

  private async addKek(store: VaultStore, version: number): Promise<Uint8Array> {
    const kek = c.randomKey();
    const sealed = c.sealKek(this.master, version, kek);
    await store.insertKek(version, sealed.nonce, sealed.ciphertext, this.now());
    return kek;
  }

  private kek(version: number, sealed: c.Sealed): Uint8Array {
    let kek = this.keks.get(version);
    if (kek) return kek;
    try {
      kek = c.openKek(this.master, version, sealed);
    } catch (e) {
      // a KEK sealed after rotate-master elsewhere: open it with the master key configured now, if that does
      const next = this.configuredMaster();
      if (!next) throw e;
      kek = c.openKek(next, version, sealed);
      this.master = next;
      this.log.info('the vault master key was rotated elsewhere; using the new one configured');
    }
    this.keks.set(version, kek);
    return kek;
  }

  private versionKek(r: VersionRow): Uint8Array {
    return this.kek(r.kek_version, { nonce: r.kek_nonce, ciphertext: r.kek_wrapped });
  }

  /** Stores a secret as a new version of (name, principal); the secret is checked against its type. */
  async put(name: string, type: CredentialType, secret: Record<string, string>, principal?: string): Promise<CredentialInfo> {
    checkName(name);
    if (principal !== undefined) checkPrincipal(principal);
    if (!isCredentialType(type)) throw new NexusError('INVALID_INPUT', `unknown credential type "${String(type).slice(0, 64)}"`);
    const fields = checkSecret(type, secret);
    const row = await this.db.withLock(KEYS_LOCK, async (tx) => {
      const store = new VaultStore(tx);
      const kekRow = await store.currentKek();
      if (!kekRow) throw new NexusError('VAULT_ERROR', 'the vault has no key-encryption key');
      const kek = this.kek(kekRow.version, { nonce: kekRow.nonce, ciphertext: kekRow.wrapped_key });
      const cred = await store.nextVersion(randomUUID(), name, type, principal ?? null, this.now());
      const bound = { credentialId: cred.id, name, type, principal: cred.principal, version: cred.version };
      const sealed = c.sealSecret(kek, kekRow.version, bound, new TextEncoder().encode(JSON.stringify(fields)));
      await store.insertVersion(
        {
          credential_id: cred.id,
          version: cred.version,
          kek_version: kekRow.version,
          dek_nonce: sealed.dek.nonce,
          wrapped_dek: sealed.dek.ciphertext,
          nonce: sealed.secret.nonce,
          ciphertext: sealed.secret.ciphertext,
        },
        this.now(),
      );
      return cred;
    });
    this.secrets.set(owner(name, row.principal), Object.values(fields));
    this.indexed.set(owner(name, row.principal), row.version);
    this.changed(name);
    this.log.info('credential stored', { credential: name, version: row.version, principal: row.principal });
    return info(row);
  }

  /**
   * The principal's own credential if there is one, else the shared one; NOT_FOUND when neither.
   * Reused for up to a second (see RECENT_MS); `fresh`: read from the store (OAuth refresh relies on it).
   */
  async resolve(name: string, principalId?: string, opts: { fresh?: boolean } = {}): Promise<ResolvedCredential> {
    const key = `r\n${name}\n${principalId ?? ''}`;
    if (opts.fresh) this.recent.drop(key);
    const { value } = await this.recent.get(key, async () => {
      const r = await new VaultStore(this.db).current(name, principalId ?? null);
      if (!r) return undefined;
      const { type, secret } = this.open(r);
      return Object.freeze({ name: r.name, type, version: r.version, principal: r.principal, secret: Object.freeze(secret) });
    });
    if (!value) throw new NexusError('NOT_FOUND', `credential "${name}" is not in the vault`);
    return value as ResolvedCredential;
  }

  /** Metadata of the credential `resolve` would use, without opening it. */
  async lookup(name: string, principalId?: string): Promise<CredentialInfo | undefined> {
    const { value } = await this.recent.get(`l\n${name}\n${principalId ?? ''}`, async () => {
      const r = await new VaultStore(this.db).credential(name, principalId ?? null);
      return r && r.version > 0 ? info(r) : undefined;
    });
    return value as CredentialInfo | undefined;
  }

  async list(): Promise<CredentialInfo[]> {
    return (await new VaultStore(this.db).list()).map(info);
  }

  /** Deletes exactly (name, principal): a shared delete never removes per-principal ones. */
  async delete(name: string, principal?: string): Promise<void> {
    const gone = await this.db.transaction((tx) => new VaultStore(tx).delete(name, principal ?? null));
    if (!gone) throw new NexusError('NOT_FOUND', `credential "${name}"${principal ? ` for ${principal}` : ''} is not in the vault`);
    this.secrets.drop(owner(name, principal ?? null));
    this.indexed.delete(owner(name, principal ?? null));
    this.changed(name);
    this.log.info('credential deleted', { credential: name, principal: principal ?? null });
  }

  /** When the current KEK was created: the last key rotation. */
  async lastRotatedAt(): Promise<number> {
    return (await new VaultStore(this.db).currentKek())?.created_at ?? 0;
  }

  /**
   * New KEK version; every DEK re-wrapped under it in one transaction; unused KEKs retired. Readers
   * never fail: each resolve reads a version and the KEK that wraps it in one statement. With
   * `ifOlderThanMs`, skips (returns undefined) when another instance rotated more recently.
   */
  async rotateKey(opts: { ifOlderThanMs?: number } = {}): Promise<{ kekVersion: number; rewrapped: number } | undefined> {
    const out = await this.db.withLock(KEYS_LOCK, async (tx) => {
      const store = new VaultStore(tx);
      await this.assertMaster(store);
      const current = await store.currentKek();
      if (opts.ifOlderThanMs !== undefined && current && this.now() - current.created_at < opts.ifOlderThanMs) return undefined;
      const version = (current?.version ?? 0) + 1;
      const kek = await this.addKek(store, version);
      const rows = await store.allVersions();
      for (const r of rows) {
        const dek = c.rewrapDek({ kek: this.versionKek(r), version: r.kek_version }, { kek, version }, rowOf(r), {
          nonce: r.dek_nonce,
          ciphertext: r.wrapped_dek,
        });
        await store.rewrap(r.credential_id, r.version, version, dek.nonce, dek.ciphertext);
      }
      await store.retireKeks(version);
      return { kekVersion: version, rewrapped: rows.length, kek };
    });
    if (!out) return undefined;
    this.keks.set(out.kekVersion, out.kek);
    this.log.info('key-encryption key rotated', { kekVersion: out.kekVersion, rewrapped: out.rewrapped });
    return { kekVersion: out.kekVersion, rewrapped: out.rewrapped };
  }

  /** Re-wraps every KEK and the key check under a new master key; the old one stops opening the vault. */
  async rotateMaster(newMasterKey: Uint8Array): Promise<{ keks: number }> {
    if (newMasterKey.length !== c.KEY_BYTES) throw new NexusError('INVALID_INPUT', 'the new master key must be 32 bytes');
    const n = await this.db.withLock(KEYS_LOCK, async (tx) => {
      const store = new VaultStore(tx);
      await this.assertMaster(store);
      const rows = await store.keks();
      for (const k of rows) {
        const sealed = c.sealKek(newMasterKey, k.version, this.kek(k.version, { nonce: k.nonce, ciphertext: k.wrapped_key }));
        await store.updateKek(k.version, sealed.nonce, sealed.ciphertext, this.now());
      }
      const kc = c.sealKeyCheck(newMasterKey);
      await store.saveKeyCheck(kc.nonce, kc.ciphertext, this.now());
      return rows.length;
    });
    this.master = newMasterKey;
    this.log.info('master key rotated', { keks: n });
    return { keks: n };
  }
}
