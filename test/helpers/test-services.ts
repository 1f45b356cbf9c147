// The PostgreSQL and Redis of this test run, found (or started) once, on first import. A missing
// server binary stops the run at once with one line naming the package to install.
import { findServices, MissingBinary, RUN_STARTED } from './services.ts';

const found = await findServices({ env: process.env }).catch((e: unknown) => {
  process.stderr.write(`\n${e instanceof MissingBinary ? e.message : `test services: ${(e as Error).message}`}\n`);
  process.exit(1);
});
RUN_STARTED.push(...found.started);
for (const s of found.started) process.stderr.write(`test services: started a throwaway ${s.kind} at ${s.url} (${s.dir})\n`);

export const TEST_DATABASE_URL: string = found.databaseUrl;
export const TEST_REDIS_URL: string = found.redisUrl;
