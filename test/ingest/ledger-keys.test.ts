// The idempotency ledger's keys and the body hashes begin with the time their source carries (migration 0041): they
// are stored side by side as events arrive, a redelivery still finds its event, and so does one of an event stored
// before the upgrade.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { up } from '../../src/db/migrations/0041-time-ordered-ledger-keys.ts';
import { up as dropBareHashes } from '../../src/db/migrations/0042-body-hashes-without-time.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from './support.ts';

const hex12 = (ms: number) => ms.toString(16).padStart(12, '0');

for (const dialect of testDialects()) {
  test(`the ledger's keys are led by the event's own time [${dialect}]`, async (t) => {
    let app!: TestApp;
    const sentAt = 1_764_400_000_123;
    const sentBody = 1_764_400_000_999;
    /** The same message event, in a body whose first entry has this time, processed. */
    const deliver = async (bodyTime: number) => {
      await postWebhook(
        app,
        envelope(
          PAGE_A,
          [messageItem(PAGE_A, '9501', 'm.ledger.1', 'is my order shipped?', sentAt)],
          'messaging',
          bodyTime,
        ),
      );
      await drain(app);
    };
    before(async () => {
      app = await ingestApp(dialect);
      await deliver(sentBody);
    });
    after(async () => app.close());

    const ledger = () => app.ctx.db.selectFrom('webhook_events').select(['event_key', 'status']).execute();
    const messages = async () => (await app.ctx.db.selectFrom('messages').select('id').execute()).length;

    await t.test('an event is kept under its time followed by its blind index', async () => {
      const rows = await ledger();
      assert.equal(rows.length, 1);
      assert.ok(rows[0]!.event_key.startsWith(hex12(sentAt)), rows[0]!.event_key);
      const hashes = await app.ctx.db.selectFrom('webhook_body_hashes').select('body_hash').execute();
      assert.equal(hashes.length, 1);
      assert.ok(hashes[0]!.body_hash.startsWith(hex12(sentBody)), 'a body hash is led by the time of its first entry');
    });

    await t.test('the same bytes again are set aside before any event is looked at', async () => {
      await deliver(sentBody);
      const posts = await app.ctx.db.selectFrom('webhook_posts').select('status').orderBy('id').execute();
      assert.deepEqual(
        posts.map((p) => p.status),
        ['processed', 'duplicate'],
      );
      assert.equal((await ledger()).length, 1);
    });

    await t.test('the event again in other bytes is found in the ledger and applies nothing', async () => {
      await deliver(sentBody + 5);
      assert.equal((await ledger()).length, 1);
      assert.equal(await messages(), 1);
    });

    await t.test('an event stored before the upgrade is found when it comes again after it', async () => {
      // As 0041 found it: the key without its time.
      await sql`update webhook_events set event_key = substr(event_key, 13)`.execute(app.ctx.db);
      await up(app.ctx.db, dialect);
      const [row] = await ledger();
      assert.ok(row!.event_key.startsWith(hex12(sentAt)), 'the stored key is led by the event time again');
      await deliver(sentBody + 9);
      assert.equal((await ledger()).length, 1, 'no second ledger row');
      assert.equal(await messages(), 1);
    });

    await t.test(
      'the body hashes stored before the upgrade, which no retry can match, are dropped by 0042',
      async () => {
        const hashes = async () =>
          (await app.ctx.db.selectFrom('webhook_body_hashes').select('body_hash').execute())
            .map((h) => h.body_hash)
            .sort();
        const kept = await hashes();
        // As 0041 left one: the hash without the time.
        await app.ctx.db
          .insertInto('webhook_body_hashes')
          .values({ body_hash: kept[0]!.slice(12), post_id: 'wp_before', created_at: sentBody })
          .execute();
        assert.equal((await hashes()).length, kept.length + 1);
        await dropBareHashes(app.ctx.db);
        assert.deepEqual(await hashes(), kept, 'the hashes led by their time stay');
      },
    );
  });
}
