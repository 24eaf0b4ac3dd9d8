// One signed delivery of a thousand first messages (a new contact, its key and its history each) is processed in
// turns, each its own transaction, with the event loop free in between: the server answers while it is processed.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { processPendingPosts } from '../../src/modules/ingest/process-posts.ts';
import { forEachDialect } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { countRows, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from './support.ts';

const PEOPLE = 1000;

forEachDialect('a delivery of a thousand new people', (_db, dialect) => {
  let app: TestApp;
  before(async () => {
    app = await ingestApp(dialect);
  });
  after(async () => {
    await app?.close();
  });

  it(
    'is applied over several transactions, and /healthz is answered while it is being processed',
    { timeout: 120_000 },
    async () => {
      const t = 1_764_331_200_000;
      const items = Array.from({ length: PEOPLE }, (_, i) =>
        messageItem(PAGE_A, `${3_100_000_000_000_000 + i}`, `m_many_${i}`, `first message ${i}`, t + i),
      );
      const res = await postWebhook(app, envelope(PAGE_A, items));
      assert.equal(res.statusCode, 200);

      let processed = false;
      const processing = processPendingPosts(app.ctx).then(() => (processed = true));
      // Asked once processing has begun: answered before it ends, with part of the delivery already committed.
      await new Promise((resolve) => setImmediate(resolve));
      const health = await app.server.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      assert.equal(processed, false, '/healthz is answered while the delivery is still being processed');
      let midway = await countRows(app, 'webhook_events');
      while (midway === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        midway = await countRows(app, 'webhook_events');
      }
      assert.equal(processed, false);
      assert.ok(midway < PEOPLE, `part of the delivery is committed before the rest (${midway} of ${PEOPLE} events)`);

      await processing;
      assert.equal(await countRows(app, 'webhook_events'), PEOPLE);
      assert.equal(await countRows(app, 'contacts'), PEOPLE);
      const delivery = await app.ctx.db
        .selectFrom('webhook_posts')
        .select(['status', 'event_count'])
        .executeTakeFirstOrThrow();
      assert.deepEqual(delivery, { status: 'processed', event_count: PEOPLE });
    },
  );

  it(
    'is applied exactly once when a turn fails part-way: claimed again, it skips what was committed and finishes',
    { timeout: 120_000 },
    async () => {
      const t = 1_764_331_300_000;
      const items = Array.from({ length: 300 }, (_, i) =>
        messageItem(PAGE_A, `${3_200_000_000_000_000 + i}`, `m_again_${i}`, `hello ${i}`, t + i),
      );
      await postWebhook(app, envelope(PAGE_A, items));
      const before = await countRows(app, 'webhook_events');
      // A storage failure in the middle of the delivery: that turn rolls back, the turns before it stay committed.
      let seen = 0;
      app.ctx.inboundHooks.register('fails-once', async () => {
        if (++seen === 200) throw new Error('storage failed');
      });
      await assert.rejects(processPendingPosts(app.ctx, { owner: 'first', leaseMs: 1000 }));
      const committed = (await countRows(app, 'webhook_events')) - before;
      assert.ok(
        committed > 0 && committed < 300,
        `some turns were committed before the failure (${committed} of 300 events)`,
      );

      // Once the lease has expired the delivery is claimed again; it is not taken for a repeat of itself.
      app.clock.advance(1001);
      await processPendingPosts(app.ctx, { owner: 'second' });
      assert.equal(await countRows(app, 'webhook_events'), before + 300);
      const messages = await app.ctx.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('mid', 'like', 'm_again_%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(messages.n), 300, 'every message is in the history once');
      const statuses = await app.ctx.db
        .selectFrom('webhook_posts')
        .select('status')
        .where('event_count', '=', 300)
        .execute();
      assert.deepEqual(statuses, [{ status: 'processed' }]);
    },
  );
});
