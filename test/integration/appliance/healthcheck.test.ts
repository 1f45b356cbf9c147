import { expect, test } from 'bun:test';
import { healthcheckCommand } from '../../../src/cli/healthcheck.ts';

test('healthcheck exits 0 when /healthz answers 200 and 1 when it answers 503 or nothing listens', async () => {
  let status = 200;
  await using server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('x', { status }) });
  const port = String(server.port);
  const io = { argv: [], env: { NEXUS_PORT: port }, stdout: () => {}, stderr: () => {}, stdin: async () => '' };
  const up = await healthcheckCommand.run(io);
  status = 503;
  const sick = await healthcheckCommand.run(io);
  await server.stop(true);
  const down = await healthcheckCommand.run(io);
  expect([up, sick, down]).toEqual([0, 1, 1]);
});
