import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/support/db.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';

forEachDialect('migrations', (database) => {
  test('leave nothing pending and apply nothing the second time', async () => {
    assert.deepEqual(await pendingMigrations(database()), []);
    assert.deepEqual(await migrateToLatest(database()), []);
  });

  test('make the audit log append-only: UPDATE and DELETE are refused', async () => {
    const { db } = database();
    await db
      .insertInto('audit_events')
      .values({
        id: 'ae_1',
        at: 1,
        actor_type: 'system',
        actor_id: null,
        request_id: null,
        action: 'test',
        outcome: 'success',
        page_id: null,
        subject_type: null,
        subject_id: null,
        details: null,
      })
      .execute();
    await assert.rejects(db.updateTable('audit_events').set({ action: 'changed' }).execute(), /append-only/);
    await assert.rejects(db.deleteFrom('audit_events').execute(), /append-only/);
    const rows = await db.selectFrom('audit_events').select(['action']).execute();
    assert.deepEqual(rows, [{ action: 'test' }]);
  });

  test('store epoch milliseconds beyond 32 bits and read them back as numbers', async () => {
    const { db } = database();
    const at = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
    await db.insertInto('meta').values({ key: 'k', value: 'v' }).execute();
    await db.insertInto('key_versions').values({ version: 99, wrapped: 'w', created_at: at }).execute();
    const row = await db
      .selectFrom('key_versions')
      .select('created_at')
      .where('version', '=', 99)
      .executeTakeFirstOrThrow();
    assert.equal(row.created_at, at);
    assert.equal(typeof row.created_at, 'number');
    await sql`select 1`.execute(db);
  });
});
