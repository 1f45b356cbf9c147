import { expect, test } from 'bun:test';
import { createCoalescer } from '../../../src/cache/coalesce.ts';
import { createMemoryCache } from '../../../src/cache/memory.ts';
import { createToolResponses } from '../../../src/cache/responses.ts';
import { createResponseCacheService } from '../../../src/cache/service.ts';

interface Result {
  readonly isError: boolean;
  readonly text: string;
}

const tool = { name: 'jira.get', cache: { ttlMs: 60_000 }, backend: { timeoutMs: 1000 } };
const responses = () =>
  createToolResponses<Result>(createResponseCacheService({ cache: createMemoryCache(), coalescer: createCoalescer() }));

test('a tool result is cached per tool, arguments and credential identity', async () => {
  const r = responses();
  let calls = 0;
  const fn = async () => ({ isError: false, text: `answer ${++calls}` });
  expect(await r.fetch(tool, { id: 1 }, 'jira@1:alice', fn)).toEqual({ value: { isError: false, text: 'answer 1' }, source: 'backend' });
  expect(await r.fetch(tool, { id: 1 }, 'jira@1:alice', fn)).toEqual({ value: { isError: false, text: 'answer 1' }, source: 'cache' });
  expect((await r.fetch(tool, { id: 1 }, 'jira@1:bob', fn)).source).toBe('backend');
});

test('an error result is answered but never cached', async () => {
  const r = responses();
  let calls = 0;
  const fn = async () => ({ isError: true, text: `Backend answered 503 (${++calls})` });
  await r.fetch(tool, {}, 'none', fn);
  expect(await r.fetch(tool, {}, 'none', fn)).toEqual({ value: { isError: true, text: 'Backend answered 503 (2)' }, source: 'backend' });
});
