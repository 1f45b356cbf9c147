// bunfig.toml [test] preload: stops the PostgreSQL / Redis this run started (test/helpers/test-services.ts).
import { afterAll } from 'bun:test';
import { stopRunServices, stopRunServicesNow } from './helpers/services.ts';

afterAll(stopRunServices);
process.on('exit', stopRunServicesNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopRunServicesNow();
    process.exit(130);
  });
}
