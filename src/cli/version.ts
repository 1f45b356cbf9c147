import { versionLine } from '../version.ts';
import type { Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  help: 'Usage: nexus version\n\nPrints `nexus <version> (commit <sha>, built <date>)`.\n\nExample:\n  nexus version',
  async run(io) {
    io.stdout(`${versionLine()}\n`);
    return 0;
  },
};
