// The one read of the process environment: main.ts hands it to the CLI, which resolves it into Config.
import type { Env } from './config.ts';

export const processEnv = (): Env => process.env;
