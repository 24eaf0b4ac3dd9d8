import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { listConversations } from '../../src/modules/conversations/list-conversations.ts';
import { indexNextMessages } from '../../src/modules/conversations/search-index.ts';
import { indexMessageTokens } from '../../src/modules/conversations/conversations.repository.ts';
import { messageTokenRows } from '../../src/modules/conversations/message-tokens.ts';
import { addKeyVersion } from '../../src/modules/keys/rotate-keys.ts';
import { runRetentionJob } from '../../src/modules/retention/retention.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from '../ingest/support.ts';
import { inboxTab } from './support.ts';

const me: Actor = {
  type: 'user',
  id: 'us_searchrowsme00000000000000000',
  role: 'owner',
  pageScope: null,
  requestId: null,
  sessionId: null,
};
const DAY = 24 * 60 * 60 * 1000;

for (const dialect of testDialects()) {
  test(`the search index of message words, one row per person and word [${dialect}]`, async (t) => {
    let app!: TestApp;
    let contactId = '';
    /** The contacts whose conversation the inbox search finds for `q`. */
    const found = async (q: string) =>
      (await listConversations(app.ctx, me, PAGE_A, inboxTab({ q }))).data.map((c) => c.contact.id);
    const rows = () =>
      app.ctx.db.selectFrom('message_tokens').selectAll().where('contact_id', '=', contactId).execute();
    before(async () => {
      app = await ingestApp(dialect, { PAGESCOPE_RETENTION_MESSAGE_TEXT_DAYS: '90' });
      const now = app.clock.now();
      const texts: [string, number][] = [
        ['my refund please', now - 120 * DAY],
        ['refund please, still waiting', now - 100 * DAY],
        ['the refund arrived', now - 10 * DAY],
      ];
      for (const [i, [text, at]] of texts.entries())
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '9301', `m.rows.${i}`, text, at)]));
      await drain(app);
      contactId = (await found('arrived'))[0] ?? '';
      assert.ok(contactId, 'the person is found by a word of their last message');
    });
    after(async () => app.close());

    await t.test('a word the person wrote in several messages is one row, with the time of the newest', async () => {
      const index = await rows();
      // my, refund, please, still, waiting, the, arrived: each once.
      assert.equal(index.length, 7);
      const newest = Math.max(...index.map((r) => Number(r.last_at)));
      const byTime = index.filter((r) => Number(r.last_at) === newest);
      assert.equal(byTime.length, 3, 'refund, the and arrived carry the newest message time');
    });

    await t.test(
      'retention drops a word with the last text that held it, and keeps a word a newer text holds',
      async () => {
        const report = await runRetentionJob(app.ctx, 'message-text');
        assert.equal(report.counts.messages, 2);
        for (const word of ['my', 'please', 'still', 'waiting']) assert.deepEqual(await found(word), [], word);
        for (const word of ['refund', 'arrived']) assert.deepEqual(await found(word), [contactId], word);
        assert.equal((await rows()).length, 3);
        app.clock.advance(85 * DAY);
        await runRetentionJob(app.ctx, 'message-text');
        assert.deepEqual(await found('refund'), []);
        assert.deepEqual(await rows(), []);
      },
    );

    await t.test('after a key rotation the search finds the same people throughout the rebuild', async () => {
      await postWebhook(
        app,
        envelope(PAGE_A, [messageItem(PAGE_A, '9301', 'm.rows.late', 'parcel tracking number', app.clock.now())]),
      );
      await drain(app);
      app.clock.advance(60_000);
      const version = await addKeyVersion(app.ctx, cliActor, app.masterKey);
      assert.deepEqual(await found('parcel'), [contactId], 'found under the old version before the walk');
      while ((await indexNextMessages(app.ctx, 1)) > 0)
        assert.deepEqual(await found('parcel tracking'), [contactId], 'found during the walk');
      const index = await rows();
      assert.deepEqual(
        index.map((r) => r.key_version),
        [version, version, version],
        "the old version's words are gone once every message is indexed under the new one",
      );
      assert.deepEqual(await found('parcel tracking'), [contactId]);
    });

    await t.test('a word indexed under the old version after the rebuild began is kept when it ends', async () => {
      const old = app.ctx.keyring.currentVersion;
      await addKeyVersion(app.ctx, cliActor, app.masterKey);
      assert.equal(await indexNextMessages(app.ctx, 1), 1, 'the rebuild under the new version began');
      // A process that has not loaded the new version yet indexes a new message under the old one.
      app.clock.advance(60_000);
      const lagging = { page_id: PAGE_A, contact_id: contactId, sent_at: app.clock.now() };
      await indexMessageTokens(app.ctx.db, messageTokenRows(app.ctx.keyring, lagging, 'courier', old));
      while ((await indexNextMessages(app.ctx, 1)) > 0);
      const index = await rows();
      assert.equal(index.length, 4);
      assert.equal(index.filter((r) => r.key_version === old).length, 1, 'the lagging word stays');
      assert.deepEqual(await found('courier'), [contactId]);
    });
  });
}
