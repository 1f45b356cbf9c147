// One behaviour contract for every Limiter implementation (memory here, Redis in test/integration).
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import type { NexusError } from '../../../src/errors.ts';
import type { LimitDecision, Limiter } from '../../../src/limiter/types.ts';

export interface LimiterFixture {
  limiter: Limiter;
  close(): Promise<void>;
}

const minute = 60_000;
const allowed = (remaining: number, limit: number): LimitDecision => ({ allowed: true, remaining, retryAfterMs: 0, limit });

/** Resolves once check() is true; polls without a fixed sleep budget per step. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await Bun.sleep(5);
  }
}

export function limiterContract(name: string, open: () => Promise<LimiterFixture>) {
  describe(`Limiter contract: ${name}`, () => {
    let fx: LimiterFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(() => fx.close());

    test('a burst of the declared size is allowed, counting down, and the next call is refused with a wait', async () => {
      const rule = { requests: 3, perMs: minute };
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await fx.limiter.take('k', rule));
      expect(got.slice(0, 3)).toEqual([allowed(2, 3), allowed(1, 3), allowed(0, 3)]);
      expect(got[3]).toEqual({ allowed: false, remaining: 0, retryAfterMs: expect.any(Number), limit: 3 });
      expect(got[3]!.retryAfterMs).toBeGreaterThan(19_000);
      expect(got[3]!.retryAfterMs).toBeLessThanOrEqual(20_000);
    });

    test('keys are counted apart', async () => {
      const rule = { requests: 1, perMs: minute };
      expect((await fx.limiter.take('a', rule)).allowed).toBe(true);
      expect((await fx.limiter.take('b', rule)).allowed).toBe(true);
      expect((await fx.limiter.take('a', rule)).allowed).toBe(false);
    });

    test('a call with a cost uses that much budget, and a refused one uses none', async () => {
      const rule = { requests: 5, perMs: minute };
      expect(await fx.limiter.take('k', rule, 3)).toEqual(allowed(2, 5));
      expect(await fx.limiter.take('k', rule, 3)).toEqual({ allowed: false, remaining: 2, retryAfterMs: expect.any(Number), limit: 5 });
      expect(await fx.limiter.take('k', rule, 2)).toEqual(allowed(0, 5));
    });

    test('budget comes back over time', async () => {
      const rule = { requests: 2, perMs: 200 };
      await fx.limiter.take('k', rule);
      await fx.limiter.take('k', rule);
      const refused = await fx.limiter.take('k', rule);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
      await until(async () => (await fx.limiter.take('k', rule)).allowed);
    });

    test('checkAll consumes from no limit when one of them refuses', async () => {
      const tight = { name: 'tool', key: 'tool:x', rule: { requests: 2, perMs: minute } };
      const loose = { name: 'caller', key: 'caller:x', rule: { requests: 10, perMs: minute } };
      expect((await fx.limiter.checkAll([tight, loose])).decisions).toEqual([allowed(1, 2), allowed(9, 10)]);
      expect((await fx.limiter.checkAll([tight, loose])).allowed).toBe(true);
      const refused = await fx.limiter.checkAll([tight, loose]);
      expect(refused).toEqual({
        allowed: false,
        decisions: [{ allowed: false, remaining: 0, retryAfterMs: expect.any(Number), limit: 2 }, allowed(7, 10)],
        refused: { check: tight, decision: refused.decisions[0]! },
      });
      expect(await fx.limiter.take('caller:x', loose.rule)).toEqual(allowed(7, 10));
    });

    test('checkAll names the refusing limit with the longest wait', async () => {
      const a = { name: 'session', key: 's', rule: { requests: 1, perMs: 10_000 } };
      const b = { name: 'backend', key: 'b', rule: { requests: 1, perMs: minute } };
      await fx.limiter.checkAll([a, b]);
      const verdict = await fx.limiter.checkAll([a, b]);
      expect(verdict.refused?.check).toEqual(b);
    });

    test('concurrent calls are decided in call order: each sees what the earlier ones consumed, a refused one nothing', async () => {
      const tight = { name: 'tool', key: 'tool:y', rule: { requests: 2, perMs: minute } };
      const loose = { name: 'caller', key: 'caller:y', rule: { requests: 10, perMs: minute } };
      const verdicts = await Promise.all([
        fx.limiter.checkAll([tight, loose]),
        fx.limiter.take('caller:y', loose.rule),
        fx.limiter.checkAll([tight, loose]),
        fx.limiter.checkAll([tight, loose]),
        fx.limiter.take('caller:y', loose.rule, 2),
      ]);
      expect(verdicts[0]).toEqual({ allowed: true, decisions: [allowed(1, 2), allowed(9, 10)] });
      expect(verdicts[1]).toEqual(allowed(8, 10));
      expect(verdicts[2]).toEqual({ allowed: true, decisions: [allowed(0, 2), allowed(7, 10)] });
      expect((verdicts[3] as { allowed: boolean }).allowed).toBe(false);
      expect(verdicts[4]).toEqual(allowed(5, 10));
    });

    test('checkAll of no limits allows', async () => {
      expect(await fx.limiter.checkAll([])).toEqual({ allowed: true, decisions: [] });
    });

    test('a rule no limiter can honour is invalid input', async () => {
      const bad = [
        { requests: 0, perMs: minute },
        { requests: 1.5, perMs: minute },
        { requests: 1, perMs: -1 },
      ];
      for (const rule of bad) expect(((await fx.limiter.take('k', rule).catch((e) => e)) as NexusError).code).toBe('INVALID_INPUT');
      expect(((await fx.limiter.take('k', { requests: 2, perMs: minute }, 3).catch((e) => e)) as NexusError).code).toBe('INVALID_INPUT');
    });
  });
}
