// Scheduled KEK rotation (NEXUS_KEY_ROTATION). Every instance checks; the vault's key lock and the
// "last rotated" time inside it make sure one instance rotates per period.
import type { Logger } from '../log.ts';
import { formatDuration } from '../util/duration.ts';
import type { Vault } from './vault.ts';

const MAX_CHECK_MS = 3_600_000;

/** Checks now and then every min(everyMs, 1h); returns a stop function. */
export function startKeyRotation(vault: Pick<Vault, 'rotateKey'>, everyMs: number, log: Logger): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const done = await vault.rotateKey({ ifOlderThanMs: everyMs });
      if (done) log.info('scheduled key rotation done', { ...done, every: formatDuration(everyMs) });
    } catch (e) {
      log.error('scheduled key rotation failed', { error: e });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, Math.min(everyMs, MAX_CHECK_MS));
  timer.unref?.();
  void tick();
  return () => clearInterval(timer);
}
