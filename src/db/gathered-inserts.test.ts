import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../test/support/db.ts';
import { gatherOrInsert, gatheringInserts } from './gathered-inserts.ts';
import type { Executor } from './types.ts';

forEachDialect('gathered inserts', (database) => {
  const hashes = (db: Executor, prefix: string) =>
    db
      .selectFrom('webhook_body_hashes')
      .select(['body_hash', 'post_id'])
      .where('body_hash', 'like', `${prefix}%`)
      .orderBy('body_hash')
      .execute();
  const insertInOrder = (order: string[]) => async (db: Executor, rows: { body_hash: string; post_id: string }[]) => {
    order.push(...rows.map((r) => r.post_id));
    await db
      .insertInto('webhook_body_hashes')
      .values(rows.map((r) => ({ ...r, created_at: 1 })))
      .execute();
  };

  test('outside a gathering transaction, rows are inserted at once', async () => {
    const { db } = database();
    const p = `g-now-${Date.now()}-`;
    await gatherOrInsert(db, 'hashes', [{ body_hash: `${p}a`, post_id: 'wd_a' }], insertInOrder([]));
    assert.equal((await hashes(db, p)).length, 1);
  });

  test('inside one, rows wait for its end and then go in the order they were given, in one insert per group', async () => {
    const { db } = database();
    const p = `g-end-${Date.now()}-`;
    const order: string[] = [];
    const calls: number[] = [];
    const counted = async (d: Executor, rows: { body_hash: string; post_id: string }[]) => {
      calls.push(rows.length);
      await insertInOrder(order)(d, rows);
    };
    await db.transaction().execute((trx) =>
      gatheringInserts(trx, async () => {
        await gatherOrInsert(trx, 'hashes', [{ body_hash: `${p}2`, post_id: 'wd_2' }], counted);
        await gatherOrInsert(
          trx,
          'hashes',
          [
            { body_hash: `${p}1`, post_id: 'wd_1' },
            { body_hash: `${p}3`, post_id: 'wd_3' },
          ],
          counted,
        );
        assert.equal((await hashes(trx, p)).length, 0, 'nothing is inserted before the end');
      }),
    );
    assert.deepEqual(order, ['wd_2', 'wd_1', 'wd_3']);
    assert.deepEqual(calls, [3]);
    assert.equal((await hashes(db, p)).length, 3);
  });

  test('a gathering transaction that fails inserts nothing, and the next one starts empty', async () => {
    const { db } = database();
    const p = `g-fail-${Date.now()}-`;
    await assert.rejects(
      db.transaction().execute((trx) =>
        gatheringInserts(trx, async () => {
          await gatherOrInsert(trx, 'hashes', [{ body_hash: `${p}x`, post_id: 'wd_x' }], insertInOrder([]));
          throw new Error('turn failed');
        }),
      ),
      /turn failed/,
    );
    assert.equal((await hashes(db, p)).length, 0);
    await gatherOrInsert(db, 'hashes', [{ body_hash: `${p}y`, post_id: 'wd_y' }], insertInOrder([]));
    assert.deepEqual(
      (await hashes(db, p)).map((r) => r.post_id),
      ['wd_y'],
    );
  });
});
