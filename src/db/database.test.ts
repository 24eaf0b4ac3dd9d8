import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from '../../test/support/db.ts';

forEachDialect('transactions flushed later', (database, dialect) => {
  test('commit at once, resolve `durable` after, and leave later transactions fully synchronous', async () => {
    const { db, transactionFlushedLater } = database();
    const now = Date.now();
    const { result, durable } = await transactionFlushedLater(async (trx) => {
      await trx
        .insertInto('webhook_body_hashes')
        .values({ body_hash: `flush-later-${now}`, post_id: 'wd_x', created_at: now })
        .execute();
      return 'claimed';
    });
    assert.equal(result, 'claimed');
    const seen = await db
      .selectFrom('webhook_body_hashes')
      .select('post_id')
      .where('body_hash', '=', `flush-later-${now}`)
      .executeTakeFirst();
    assert.equal(seen?.post_id, 'wd_x', 'the commit is visible before its flush ends');
    await durable;
    if (dialect === 'sqlite') {
      const mode = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      assert.equal(mode.rows[0]!.synchronous, 2, 'the next transaction commits with synchronous=FULL again');
    }
  });

  test('each transaction flushed later commits with synchronous=NORMAL, and every one after it is FULL again', async () => {
    const { db, transactionFlushedLater } = database();
    if (dialect !== 'sqlite') return;
    const mode = async (q: typeof db) => (await sql<{ synchronous: number }>`pragma synchronous`.execute(q)).rows[0]!;
    for (let round = 0; round < 3; round++) {
      const { result: inside, durable } = await transactionFlushedLater(async (trx) => (await mode(trx)).synchronous);
      await durable;
      assert.equal(inside, 1, `round ${round}: NORMAL inside`);
      assert.equal((await mode(db)).synchronous, 2, `round ${round}: FULL after`);
      assert.equal(
        (await db.transaction().execute(mode)).synchronous,
        2,
        `round ${round}: FULL in a plain transaction`,
      );
    }
  });

  test('a transaction that throws commits nothing and leaves synchronous as it was', async () => {
    const { db, transactionFlushedLater } = database();
    const now = Date.now();
    await assert.rejects(
      transactionFlushedLater(async (trx) => {
        await trx
          .insertInto('webhook_body_hashes')
          .values({ body_hash: `flush-later-fail-${now}`, post_id: 'wd_y', created_at: now })
          .execute();
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(
      await db
        .selectFrom('webhook_body_hashes')
        .select('post_id')
        .where('body_hash', '=', `flush-later-fail-${now}`)
        .executeTakeFirst(),
      undefined,
    );
    if (dialect === 'sqlite')
      assert.equal((await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]!.synchronous, 2);
  });
});

test('a pragma run through the query builder takes effect every time it runs, not only the first (SQLite)', async () => {
  const { openTestDatabase } = await import('../../test/support/db.ts');
  const database = await openTestDatabase('sqlite');
  try {
    const timeout = async () =>
      (await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db)).rows[0]!.timeout;
    for (const ms of [0, 10_000, 0, 10_000]) {
      await sql`pragma busy_timeout = ${sql.raw(String(ms))}`.execute(database.db);
      assert.equal(await timeout(), ms);
    }
  } finally {
    await database.destroy();
  }
});
