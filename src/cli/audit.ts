// `nexus audit`: the newest audit records, filtered, as a table or JSON.
import { type AuditRecord, parseAuditQuery } from '../audit/record.ts';
import { createAuditStore } from '../audit/store.ts';
import { parseFlags } from '../config/config.ts';
import { NexusError } from '../errors.ts';
import type { Command } from './command.ts';
import { DB_HELP, withDb } from './keys.ts';
import { commandArgs } from './migrate.ts';
import { table } from './table.ts';

const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
const dash = (v: unknown) => (v === undefined || v === null || v === '' ? '-' : String(v));
const short = (h: unknown) => (typeof h === 'string' ? h.slice(0, 12) : '-');

/** The last column: the error or limit of a call, the old -> new definition hashes of a tool change. */
function detail(r: AuditRecord): string {
  if (!r.outcome.startsWith('tool_')) return dash(r.error ?? r.limit);
  const h = (r.args ?? {}) as { old?: unknown; new?: unknown };
  return `${short(h.old)} -> ${short(h.new)}`;
}

function rows(records: readonly AuditRecord[]): string[][] {
  return records.map((r) => [
    time(r.time),
    r.caller,
    r.tool,
    r.outcome,
    dash(r.backendStatus),
    r.latencyMs === undefined ? '-' : `${Math.round(r.latencyMs)}ms`,
    dash(r.cache),
    detail(r),
  ]);
}

export const auditCommand: Command = {
  name: 'audit',
  help: `Usage: nexus audit [--since 1h] [--caller ID] [--tool NAME] [--limit N] [--json] [--data-dir DIR]

  --since T        only records newer than a duration (1h, 7d) or an ISO date
  --caller ID      only this caller (key:NAME, sub:SUBJECT, anonymous)
  --tool NAME      only this tool
  Tool-set changes (reloads) appear as caller nexus:reload, outcome tool_added / tool_changed /
  tool_removed, with the old -> new definition hashes (full hashes in --json).
  --limit N        at most N records (default 100)
  --json           print JSON instead of a table
${DB_HELP}

Example:
  nexus audit --since 1h --caller key:sales-agent`,
  async run(io) {
    const { values, positionals } = parseFlags(commandArgs(io, 'audit'), {
      'data-dir': { type: 'string' },
      since: { type: 'string' },
      caller: { type: 'string' },
      tool: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new NexusError('INVALID_INPUT', `unexpected argument ${positionals[0]}`);
    const query = parseAuditQuery(values);
    const records = await withDb(io, values['data-dir'], (db) => createAuditStore(db).query(query));
    if (values.json) {
      io.stdout(`${JSON.stringify(records, null, 2)}\n`);
      return 0;
    }
    io.stdout(
      table(['TIME', 'CALLER', 'TOOL', 'OUTCOME', 'STATUS', 'LATENCY', 'CACHE', 'ERROR/LIMIT'], rows(records)) +
        `\n${records.length} record(s)\n`,
    );
    return 0;
  },
};
