// Attribution of an upstream's own requests to a call, and the session ids that carry a 2025-11-25
// client's capabilities: the rules of src/upstream/relay.ts and src/mcp/relay.ts stated as tests.
import { expect, test } from 'bun:test';
import type { ProtocolError } from '@modelcontextprotocol/client';
import type { ClientChannel } from '../../../src/call/types.ts';
import { ANONYMOUS } from '../../../src/caller.ts';
import type { SessionRelay } from '../../../src/db/session-relay.ts';
import { NexusError } from '../../../src/errors.ts';
import { createClientRelay, mintSession, sessionCapabilities } from '../../../src/mcp/relay.ts';
import { RelayError } from '../../../src/mcp/relay-step.ts';
import { asTarget, attribute, type RelayTarget, relay } from '../../../src/upstream/relay.ts';

const target = (): RelayTarget => ({ deadline: Date.now() + 60_000 });

test('a request inside a call is that call; outside, only a lone call in flight; with two, a refusal naming why', async () => {
  const calls = new Set<RelayTarget>();
  const a = target();
  const b = target();
  expect((attribute('roots/list', calls) as ProtocolError).message).toContain('it was not sent during a call through Nexus');
  await asTarget(calls, a, async () => {
    expect(attribute('roots/list', calls)).toBe(a); // its own async context
    await asTarget(calls, b, async () => expect(attribute('roots/list', calls)).toBe(b));
  });
  calls.add(a);
  expect(attribute('roots/list', calls)).toBe(a); // a session channel, one call in flight
  calls.add(b);
  const refused = attribute('elicitation/create', calls) as ProtocolError;
  expect([refused.code, refused.message]).toEqual([
    -32601,
    'Nexus cannot relay elicitation/create: 2 calls are in flight on this shared session and the request did not come on the stream of one of them',
  ]);
});

test('a client without a channel or the capability is refused at once, naming what is missing', async () => {
  const signal = new AbortController().signal;
  const noChannel = await relay(target(), 'sampling/createMessage', {}, signal).catch((e) => e.message);
  expect(noChannel).toContain('has no channel for it');
  const formOnly = { via: 'test', capabilities: { elicitation: { form: {} } }, ask: async () => ({}) };
  const url = await relay({ ...target(), channel: formOnly }, 'elicitation/create', { mode: 'url' }, signal).catch((e) => e.message);
  expect(url).toBe(
    'Nexus cannot relay elicitation/create: the client that made this call did not declare the elicitation (url mode) capability',
  );
  expect(await relay({ ...target(), channel: formOnly }, 'elicitation/create', {}, signal)).toEqual({});
});

test('a session id carries the relayable capabilities and nothing else; foreign ids carry none', () => {
  expect(mintSession({ experimental: {} })).toBeUndefined();
  const id = mintSession({ sampling: {}, elicitation: {}, roots: { listChanged: true } })!;
  expect(id).toMatch(/^nx1\.ser\.[A-Za-z0-9_-]{24}$/);
  expect(sessionCapabilities(id)).toEqual({ sampling: {}, elicitation: { form: {} }, roots: {} });
  expect(sessionCapabilities(mintSession({ elicitation: { url: {} } }))).toEqual({ elicitation: { url: {} } });
  expect(sessionCapabilities('3f2a-uuid-of-someone-else')).toBeUndefined();
  // a client that may subscribe to resources gets a session carrying nothing to relay
  const plain = mintSession({}, true)!;
  expect(plain).toMatch(/^nx1\.n\.[A-Za-z0-9_-]{24}$/);
  expect(sessionCapabilities(plain)).toBeUndefined();
  expect(sessionCapabilities(undefined)).toBeUndefined();
});

test('a 2026-07-28 call parks on input_required and resumes only for its caller and tool', async () => {
  const relayOf = createClientRelay();
  const alice = { ...ANONYMOUS, id: 'key:alice' };
  const signal = new AbortController().signal;
  const first = await relayOf.start(
    alice,
    'fx__confirm',
    { elicitation: {} },
    async (channel, s) => channel.ask('elicitation/create', { message: 'Proceed?' }, s),
    signal,
  );
  if (first.kind !== 'input') throw new Error(`expected input, got ${first.kind}`);
  expect(first.requests).toEqual({ r1: { method: 'elicitation/create', params: { message: 'Proceed?' } } });
  const foreign = await relayOf.resume({ ...alice, id: 'key:bob' }, 'fx__confirm', first.state, {}, signal).catch((e) => e);
  expect(foreign).toBeInstanceOf(RelayError);
  expect(foreign.message).toBe('requestState names no call waiting: it ended (timeout) or was made for another caller or tool');
  const done = await relayOf.resume(alice, 'fx__confirm', first.state, { r1: { action: 'accept', content: {} } }, signal);
  expect(done).toEqual({ kind: 'done', value: { action: 'accept', content: {} } });
  expect(await relayOf.resume(alice, 'fx__confirm', first.state, {}, signal).catch((e) => e.code)).toBe(-32602);
});

/** Session relays of instances sharing one in-memory "Redis": what src/db/session-relay.ts does, minus Redis. */
function hub() {
  const keys = new Map<string, { at: number; owner: string }>();
  const handlers: Array<Array<(id: string, owner: string, payload: string) => void>> = [];
  return (): SessionRelay => {
    const at = handlers.push([]) - 1;
    return {
      hold: async (id, owner) => void keys.set(id, { at, owner }),
      release: (id) => void (keys.get(id)?.at === at && keys.delete(id)),
      forward: async (id, owner, payload) => {
        const k = keys.get(id);
        if (!k || k.owner !== owner || k.at === at) return false;
        queueMicrotask(() => {
          for (const fn of handlers[k.at]!) fn(id, owner, payload);
        });
        return true;
      },
      onForward: (fn) => void handlers[at]!.push(fn),
    };
  };
}

test('a 2026-07-28 retry on another instance resumes the call where it is parked, for its caller only, and bounded', async () => {
  const instance = hub();
  const [a, b] = [createClientRelay(instance()), createClientRelay(instance())];
  const alice = { ...ANONYMOUS, id: 'key:alice' };
  const signal = new AbortController().signal;
  const tool = { name: 'fx__confirm' };
  const remote = { timeoutMs: 30_000, revive: (v: unknown) => ({ ...(v as Record<string, unknown>), tool }) };
  const asking = (fail: boolean) => async (channel: ClientChannel, s: AbortSignal) => {
    const answer = await channel.ask('elicitation/create', { message: 'Proceed?' }, s);
    if (fail) throw new NexusError('UPSTREAM_ERROR', 'the upstream refused', { details: { server: 'fx' } });
    return { answer, tool: { headers: { authorization: 'stays here' } } };
  };
  const first = await a.start(alice, 'fx__confirm', { elicitation: {} }, asking(false), signal);
  if (first.kind !== 'input') throw new Error(`expected input, got ${first.kind}`);
  // another caller's retry, or one for another tool, finds no call; the caller's own resumes it on a
  const bob = await b.resume({ ...alice, id: 'key:bob' }, 'fx__confirm', first.state, {}, signal, remote).catch((e) => e);
  expect([bob.code, bob.message]).toEqual([
    -32602,
    'requestState names no call waiting: it ended (timeout) or was made for another caller or tool',
  ]);
  const other = await b.resume(alice, 'fx__where', first.state, {}, signal, remote).catch((e) => e.code);
  expect(other).toBe(-32602);
  const done = await b.resume(alice, 'fx__confirm', first.state, { r1: { action: 'accept' } }, signal, remote);
  // the holder's tool spec stays with it: the receiving instance puts its own back
  expect(done as unknown).toEqual({ kind: 'done', value: { answer: { action: 'accept' }, tool } });
  expect(await b.resume(alice, 'fx__confirm', first.state, {}, signal, remote).catch((e) => e.code)).toBe(-32602);

  const failing = await a.start(alice, 'fx__confirm', { elicitation: {} }, asking(true), signal);
  if (failing.kind !== 'input') throw new Error(`expected input, got ${failing.kind}`);
  const failed = await b.resume(alice, 'fx__confirm', failing.state, { r1: {} }, signal, remote);
  if (failed.kind !== 'failed') throw new Error(`expected failed, got ${failed.kind}`);
  expect(failed.error).toBeInstanceOf(NexusError);
  const e = failed.error as NexusError;
  expect([e.code, e.message, e.details]).toEqual(['UPSTREAM_ERROR', 'the upstream refused', { server: 'fx' }]);

  // a holder that never answers: the wait ends with the call's timeout
  const silent = instance();
  await silent.hold('mrtr:parked-elsewhere', alice.id);
  const late = await b.resume(alice, 'fx__confirm', 'parked-elsewhere', {}, signal, { ...remote, timeoutMs: 5 }).catch((x) => x);
  expect([late.code, late.message]).toEqual([-32001, 'the instance holding the call did not answer within its timeout']);
});
