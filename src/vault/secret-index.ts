// The secrets a vault holds, by owner (a credential row, an issued access token), for redaction. It
// follows the credentials: a new version replaces the old values, a deleted credential drops out, an
// access token is replaced by the next one. Redaction (util/redact.ts) reads every open vault's index.
import { addSecretSource, secretsChanged } from '../util/redact.ts';

export class SecretIndex {
  private readonly byOwner = new Map<string, readonly string[]>();
  private readonly detach: () => void;

  constructor() {
    this.detach = addSecretSource({ values: () => [...this.byOwner.values()].flat() });
  }

  /** The owner's values now; a no-op (no rebuild) when they did not change. */
  set(owner: string, values: readonly string[]): void {
    const before = this.byOwner.get(owner);
    if (before && before.length === values.length && before.every((v, i) => v === values[i])) return;
    this.byOwner.set(owner, [...values]);
    secretsChanged();
  }

  drop(owner: string): void {
    if (this.byOwner.delete(owner)) secretsChanged();
  }

  get size(): number {
    return this.byOwner.size;
  }

  /** Stops contributing to redaction (the vault is closed). */
  close(): void {
    this.byOwner.clear();
    this.detach();
  }
}
