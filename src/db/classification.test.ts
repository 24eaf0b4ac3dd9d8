import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/support/db.ts';
import { CLASSIFICATION } from './classification.ts';

forEachDialect('the data-classification registry', (database, dialect) => {
  test('marks every table and every column that exists in the database', async () => {
    const { db } = database();
    const rows =
      dialect === 'sqlite'
        ? (
            await sql<{
              t: string;
              c: string;
            }>`select m.name as t, p.name as c from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like 'kysely_%' and m.name != 'pagescope_migrations'`.execute(
              db,
            )
          ).rows
        : (
            await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
            where table_schema = current_schema() and table_name not like 'kysely_%' and table_name != 'pagescope_migrations'`.execute(
              db,
            )
          ).rows;
    assert.ok(rows.length > 20);
    const unmarked = rows.filter((r) => CLASSIFICATION[r.t]?.columns[r.c] === undefined).map((r) => `${r.t}.${r.c}`);
    assert.deepEqual(unmarked, [], `add these columns to the registry (src/db/tables/*.ts): ${unmarked.join(', ')}`);
  });

  test('names no column that the database lacks', async () => {
    const { db } = database();
    for (const [table, t] of Object.entries(CLASSIFICATION)) {
      for (const column of Object.keys(t.columns)) {
        await sql`select ${sql.ref(`${table}.${column}`)} from ${sql.table(table)} limit 0`.execute(db);
      }
    }
  });
});
