// The portable SQL text helpers: placeholder translation and migration statement splitting.
import { describe, expect, test } from 'bun:test';
import { statements } from '../../../src/db/migrate.ts';
import { MIGRATIONS } from '../../../src/db/migrations.ts';
import { toSqlite } from '../../../src/db/sqlite.ts';

describe('SQL text', () => {
  test('$n placeholders become SQLite numbered parameters', () => {
    expect(toSqlite('SELECT a FROM t WHERE b = $1 AND c = $12 OR d = $1')).toBe('SELECT a FROM t WHERE b = ?1 AND c = ?12 OR d = ?1');
  });

  test('a migration splits into statements without comments or blanks', () => {
    const sql = '-- header; with a semicolon\nCREATE TABLE a (x TEXT); -- trailing\n\nCREATE INDEX a_x\n  ON a (x);\n';
    expect(statements(sql)).toEqual(['CREATE TABLE a (x TEXT)', 'CREATE INDEX a_x\n  ON a (x)']);
  });

  test('migrations are embedded in name order with non-empty SQL', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('001_vault');
    expect(MIGRATIONS.every((m) => statements(m.sql).length > 0)).toBe(true);
  });
});
