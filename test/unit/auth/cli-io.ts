// Runs a CLI command with captured output, as the router would.
import type { Command } from '../../../src/cli/command.ts';

export async function runCommand(cmd: Command, argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await cmd.run({ argv, env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin: async () => '' });
  return { code, stdout, stderr };
}
