#!/usr/bin/env bun
// Entry point for `bun src/main.ts` and the compiled binary: argv -> cli.
import { runCli } from './cli/index.ts';
import { processEnv } from './config/env.ts';

const code = await runCli(process.argv.slice(2), {
  env: processEnv(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => Bun.stdin.text(),
});
process.exitCode = code;
