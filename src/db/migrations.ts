// Every migration, in order. Files are imported as text so the compiled binary embeds them (no
// directory listing at run time). Add a new file here with the next number.
// SQL must run unchanged on SQLite and PostgreSQL; statements end with `;` at the end of a line.
import vault from '../../sql/001_vault.sql' with { type: 'text' };
import keys from '../../sql/002_keys.sql' with { type: 'text' };
import audit from '../../sql/003_audit.sql' with { type: 'text' };
import auditTrace from '../../sql/004_audit_trace.sql' with { type: 'text' };

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: '001_vault', sql: vault },
  { name: '002_keys', sql: keys },
  { name: '003_audit', sql: audit },
  { name: '004_audit_trace', sql: auditTrace },
];
