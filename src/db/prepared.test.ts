import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/support/db.ts';
import { PreparedInsert, PreparedQuery, slotRow } from './prepared.ts';
import type { WebhookBodyHashTable, WebhookPostTable } from './tables/conversations.ts';

const insertHash = new PreparedQuery<WebhookBodyHashTable, never>((db, slot) =>
  db
    .insertInto('webhook_body_hashes')
    .values(slotRow(slot, ['body_hash', 'post_id', 'created_at']))
    .onConflict((oc) => oc.column('body_hash').doNothing()),
);

const hashesFrom = new PreparedQuery<{ prefix: string; since: number }, { post_id: string }>((db, slot) =>
  db
    .selectFrom('webhook_body_hashes')
    .select('post_id')
    .where('body_hash', 'like', sql<string>`${slot('prefix')} || '%'`)
    .where('created_at', '>=', slot('since'))
    .orderBy('post_id'),
);

const insertHashes = new PreparedInsert<WebhookBodyHashTable>(['body_hash', 'post_id', 'created_at'], (db, rows) =>
  db
    .insertInto('webhook_body_hashes')
    .values(rows)
    .onConflict((oc) => oc.column('body_hash').doNothing()),
);

const postById = new PreparedQuery<{ id: string }, WebhookPostTable>((db, slot) =>
  db.selectFrom('webhook_posts').selectAll().where('id', '=', slot('id')),
);

forEachDialect('prepared queries', (database) => {
  test('a select inside a transaction gives each row as Kysely does: every column, by name, nulls included', async () => {
    const { db } = database();
    const id = `wp_prepared_${Date.now()}`;
    await db
      .insertInto('webhook_posts')
      .values({
        id,
        received_at: 1_700_000_000_123,
        body_hash: `h-${id}`,
        body_enc: null,
        status: 'pending',
        attempts: 0,
      })
      .execute();
    await db.transaction().execute(async (trx) => {
      const kysely = await trx.selectFrom('webhook_posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const prepared = await postById.first(trx, { id });
      assert.deepEqual(prepared, kysely);
      assert.deepEqual(Object.keys(prepared!).sort(), Object.keys(kysely).sort());
      assert.equal(prepared!.body_enc, null);
      assert.equal(await postById.first(trx, { id: `${id}-missing` }), undefined);
    });
  });

  test('run with new values each time, in and out of a transaction, and report the rows they changed', async () => {
    const { db } = database();
    const run = `p${Date.now()}`;
    assert.equal((await insertHash.run(db, { body_hash: `${run}-a`, post_id: 'wd_a', created_at: 10 })).changed, 1);
    await db.transaction().execute(async (trx) => {
      assert.equal((await insertHash.run(trx, { body_hash: `${run}-b`, post_id: 'wd_b', created_at: 20 })).changed, 1);
      const again = await insertHash.run(trx, { body_hash: `${run}-a`, post_id: 'wd_c', created_at: 30 });
      assert.equal(again.changed, 0, 'a conflicting row changes nothing');
    });
    const rows = (await hashesFrom.run(db, { prefix: run, since: 0 })).rows;
    assert.deepEqual(
      rows.map((r) => r.post_id),
      ['wd_a', 'wd_b'],
    );
    assert.deepEqual(await hashesFrom.first(db, { prefix: run, since: 15 }), { post_id: 'wd_b' });
    assert.equal(await hashesFrom.first(db, { prefix: `${run}-none`, since: 0 }), undefined);
  });

  test('refuse a query that writes a named value into its SQL text instead of taking it as a parameter', async () => {
    const { db } = database();
    const inlined = new PreparedQuery<{ n: number }, { one: number }>((d, slot) =>
      d
        .selectFrom('webhook_body_hashes')
        .select(sql<number>`1`.as('one'))
        .where(sql.raw<boolean>(`1 = ${String(slot('n'))}`)),
    );
    await assert.rejects(inlined.run(db, { n: 1 }), /slot n is not a parameter/);
  });

  test('insert a few rows in one statement each, the same count twice through one statement', async () => {
    const { db } = database();
    const run = `m${Date.now()}`;
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        body_hash: `${run}-${from + i}`,
        post_id: `wd_${from + i}`,
        created_at: 1,
      }));
    assert.equal(await insertHashes.run(db, []), 0);
    assert.equal(await insertHashes.run(db, rows(0, 3)), 3);
    assert.equal(await insertHashes.run(db, rows(3, 1)), 1);
    assert.equal(await insertHashes.run(db, rows(2, 3)), 1, 'the rows already there are skipped');
    const stored = (await hashesFrom.run(db, { prefix: run, since: 0 })).rows.map((r) => r.post_id);
    assert.deepEqual(stored, ['wd_0', 'wd_1', 'wd_2', 'wd_3', 'wd_4']);
  });

  test('insert thousands of rows at once, in statements of bounded size, every row once', async () => {
    const { db } = database();
    const run = `big${Date.now()}`;
    const rows = Array.from({ length: 7_001 }, (_, i) => ({
      body_hash: `${run}-${i}`,
      post_id: `wd_${i}`,
      created_at: 1,
    }));
    // 7,001 rows of 3 values pass SQLite's limit of 32,766 parameters in one statement only if they are split.
    assert.equal(await insertHashes.run(db, rows), 7_001);
    const stored = (await hashesFrom.run(db, { prefix: `${run}-`, since: 0 })).rows;
    assert.equal(stored.length, 7_001);
    assert.equal(new Set(stored.map((r) => r.post_id)).size, 7_001);
  });

  test('refuse a row with a value for a column the insert was not prepared with, rather than drop it', async () => {
    const { db } = database();
    const row = { body_hash: `x${Date.now()}`, post_id: 'wd_x', created_at: 1, campaign_id: 'cp_1' };
    await assert.rejects(insertHashes.run(db, [row]), /column campaign_id is not among the prepared columns/);
  });
});
