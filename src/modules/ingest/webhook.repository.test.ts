import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../../test/support/db.ts';
import type { WebhookPostTable } from '../../db/tables/conversations.ts';
import { finishProcessedPosts } from './webhook.repository.ts';

forEachDialect('marking webhook deliveries processed', (database) => {
  let n = 0;
  /** A pending delivery leased by `owner`, with a raw body. */
  const leased = async (owner: string | null, status: WebhookPostTable['status'] = 'pending') => {
    const id = `wp_finish_${++n}_${Date.now()}`;
    await database()
      .db.insertInto('webhook_posts')
      .values({
        id,
        received_at: 1,
        body_hash: `h_${id}`,
        body_enc: 'v1.sealed',
        body_key: null,
        status,
        attempts: 1,
        lease_owner: owner,
        lease_until: owner === null ? null : 10_000,
      })
      .execute();
    return id;
  };
  const stateOf = async (id: string) =>
    database()
      .db.selectFrom('webhook_posts')
      .select(['status', 'event_count', 'processed_at', 'body_enc', 'lease_owner', 'error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  test('each delivery this worker holds is processed with its own event count and without its body', async () => {
    const [one, two, three] = [await leased('me'), await leased('me'), await leased('me')];
    await finishProcessedPosts(
      database().db,
      [
        { id: one, eventCount: 1 },
        { id: two, eventCount: 3 },
        { id: three, eventCount: 1 },
      ],
      'me',
      500,
    );
    for (const [id, count] of [
      [one, 1],
      [two, 3],
      [three, 1],
    ] as const)
      assert.deepEqual(await stateOf(id), {
        status: 'processed',
        event_count: count,
        processed_at: 500,
        body_enc: null,
        lease_owner: null,
        error: null,
      });
  });

  test('a delivery another worker holds now, or one already finished, is left as it is', async () => {
    const taken = await leased('other');
    const done = await leased(null, 'duplicate');
    await finishProcessedPosts(
      database().db,
      [
        { id: taken, eventCount: 1 },
        { id: done, eventCount: 1 },
      ],
      'me',
      500,
    );
    const [still, finished] = [await stateOf(taken), await stateOf(done)];
    assert.deepEqual([still.status, still.body_enc, still.lease_owner], ['pending', 'v1.sealed', 'other']);
    assert.deepEqual([finished.status, finished.body_enc], ['duplicate', 'v1.sealed']);
  });

  test('more deliveries than one statement carries are all marked', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1_100; i++) ids.push(`wp_many_${i}_${Date.now()}`);
    await database()
      .db.insertInto('webhook_posts')
      .values(
        ids.map((id) => ({
          id,
          received_at: 1,
          body_hash: `h_${id}`,
          body_enc: 'v1.sealed',
          status: 'pending' as const,
          attempts: 1,
          lease_owner: 'me',
          lease_until: 10_000,
        })),
      )
      .execute();
    await finishProcessedPosts(
      database().db,
      ids.map((id) => ({ id, eventCount: 2 })),
      'me',
      700,
    );
    const left = await database()
      .db.selectFrom('webhook_posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', ids.slice(0, 10))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const processed = await database()
      .db.selectFrom('webhook_posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'like', 'wp_many_%')
      .where('status', '=', 'processed')
      .where('event_count', '=', 2)
      .executeTakeFirstOrThrow();
    assert.equal(Number(left.n), 0);
    assert.equal(Number(processed.n), 1_100);
  });
});
