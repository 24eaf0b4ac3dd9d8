import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { listConversations } from '../../src/modules/conversations/list-conversations.ts';
import { listContactMessages } from '../../src/modules/conversations/list-messages.ts';
import { listEvents } from '../../src/modules/events/list-events.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from '../ingest/support.ts';
import { inboxTab } from './support.ts';
import { indexNextMessages } from '../../src/modules/conversations/search-index.ts';
import { addKeyVersion } from '../../src/modules/keys/rotate-keys.ts';

/** What Meta sends when a person reacts to a message (theirs or the Page's), or takes the reaction back. */
function reactionItem(psid: string, mid: string, action: 'react' | 'unreact', at: number, emoji = '❤') {
  return {
    sender: { id: psid },
    recipient: { id: PAGE_A },
    timestamp: at,
    reaction: { mid, action, ...(action === 'react' && { reaction: 'love', emoji }) },
  };
}

/** What Meta sends when a person edits a message of theirs in Messenger. */
function editItem(psid: string, mid: string, text: string, numEdit: number, at: number) {
  return {
    sender: { id: psid },
    recipient: { id: PAGE_A },
    timestamp: at,
    message_edit: { mid, text, num_edit: numEdit },
  };
}

for (const dialect of testDialects()) {
  test(`what a person did to their messages in the history: edits and reactions [${dialect}]`, async (t) => {
    let app!: TestApp;
    before(async () => {
      app = await ingestApp(dialect);
    });
    after(async () => app.close());

    const deliver = async (...items: object[]) => {
      for (const item of items) await postWebhook(app, envelope(PAGE_A, [item as never]));
      await drain(app);
    };
    /** The history of the person writing as `psid`, oldest first, as the API presents it. */
    const history = async (psid: string) => {
      const conversations = (await listConversations(app.ctx, cliActor, PAGE_A, inboxTab())).data;
      const contactIds = conversations.map((c) => c.contact.id);
      for (const contactId of contactIds) {
        const { rows } = await listContactMessages(app.ctx, cliActor, contactId, 'asc', null, 50);
        if (rows.some((m) => m.mid?.startsWith(`m.${psid}.`))) return rows;
      }
      throw new Error(`no history for ${psid}`);
    };

    await t.test('shows the newest text beside what was first sent, and the inbox hears of it', async () => {
      const at = app.clock.now() - 60_000;
      await deliver(messageItem(PAGE_A, '7001', 'm.7001.1', 'Send it to 12 Elm Street', at));
      const head = (await listEvents(app.ctx, cliActor, null, 100)).next_after;
      await deliver(editItem('7001', 'm.7001.1', 'Send it to 21 Elm Street', 1, at + 5_000));
      const [m] = await history('7001');
      assert.equal(m!.text, 'Send it to 12 Elm Street');
      assert.deepEqual(m!.edited, {
        text: 'Send it to 21 Elm Street',
        at: new Date(at + 5_000).toISOString(),
        count: 1,
      });
      const listed = (await listConversations(app.ctx, cliActor, PAGE_A, inboxTab())).data;
      const last = listed.find((c) => c.contact.id === m!.contact_id)!.last_message!;
      assert.deepEqual([last.text, last.edited?.text], ['Send it to 12 Elm Street', 'Send it to 21 Elm Street']);
      const events = await listEvents(app.ctx, cliActor, head, 100);
      assert.ok(events.data.some((e) => e.type === 'message.updated' && e.contact_id === m!.contact_id));
    });

    await t.test("Meta's redelivery of an edit stores nothing more and tells the inbox nothing more", async () => {
      const at = app.clock.now() - 50_000;
      await deliver(messageItem(PAGE_A, '7006', 'm.7006.1', 'Gift wrap it', at));
      const edit = editItem('7006', 'm.7006.1', 'Gift wrap it in red', 1, at + 1_000);
      await deliver(edit);
      const head = (await listEvents(app.ctx, cliActor, null, 100)).next_after;
      const stored = async () =>
        (await app.ctx.db.selectFrom('contact_events').select('id').where('kind', '=', 'message_edit').execute())
          .length;
      const before = await stored();
      // The same event again, in a POST of other bytes (Meta batches differently on a retry).
      await postWebhook(app, envelope(PAGE_A, [edit as never, edit as never]));
      await drain(app);
      assert.equal(await stored(), before);
      const events = await listEvents(app.ctx, cliActor, head, 100);
      assert.equal(events.data.filter((e) => e.type === 'message.updated').length, 0);
      const [m] = await history('7006');
      assert.deepEqual([m!.edited?.text, m!.edited?.count], ['Gift wrap it in red', 1]);
    });

    await t.test('an edit stored before its message is shown once the message is', async () => {
      const at = app.clock.now() - 30_000;
      await deliver(editItem('7002', 'm.7002.1', 'Two mugs, not three', 1, at + 2_000));
      await deliver(messageItem(PAGE_A, '7002', 'm.7002.1', 'Three mugs please', at));
      const [m] = await history('7002');
      assert.equal(m!.text, 'Three mugs please');
      assert.equal(m!.edited?.text, 'Two mugs, not three');
    });

    await t.test('the newest of several edits wins, whichever was stored first', async () => {
      const at = app.clock.now() - 20_000;
      await deliver(messageItem(PAGE_A, '7003', 'm.7003.1', 'Blue', at));
      await deliver(editItem('7003', 'm.7003.1', 'Green', 2, at + 2_000));
      await deliver(editItem('7003', 'm.7003.1', 'Red', 1, at + 1_000));
      await deliver(messageItem(PAGE_A, '7003', 'm.7003.2', 'Size M', at + 3_000));
      const [first, second] = await history('7003');
      assert.deepEqual([first!.text, first!.edited?.text, first!.edited?.count], ['Blue', 'Green', 2]);
      assert.equal(second!.edited, undefined, 'a message nobody edited has no edit');
    });

    await t.test(
      'the new words find the conversation, also once the keys rotated and the index was rebuilt',
      async () => {
        const found = async (q: string) =>
          (await listConversations(app.ctx, cliActor, PAGE_A, inboxTab({ q }))).data.map((c) => c.contact.id);
        const at = app.clock.now() - 10_000;
        await deliver(messageItem(PAGE_A, '7004', 'm.7004.1', 'Leave it by the maple tree', at));
        const [person] = await found('maple');
        assert.ok(person);
        await deliver(editItem('7004', 'm.7004.1', 'Leave it by the birch tree', 1, at + 1_000));
        assert.deepEqual(await found('birch'), [person]);
        assert.deepEqual(await found('maple'), [person], 'what was first sent is still found');
        await addKeyVersion(app.ctx, cliActor, app.masterKey);
        while ((await indexNextMessages(app.ctx, 50)) > 0);
        const versions = await app.ctx.db
          .selectFrom('message_tokens')
          .select('key_version')
          .where('contact_id', '=', person)
          .execute();
        assert.ok(
          versions.every((r) => r.key_version === app.ctx.keyring.currentVersion),
          'rebuilt under the new key',
        );
        assert.deepEqual(await found('birch'), [person]);
      },
    );

    await t.test('shows the reaction a person left on a message, until they take it back', async () => {
      const at = app.clock.now() - 5_000;
      await deliver(
        messageItem(PAGE_A, '7005', 'm.7005.1', 'Thanks, that helps', at),
        reactionItem('7005', 'm.7005.1', 'react', at + 1_000, '👍'),
      );
      let [m] = await history('7005');
      assert.deepEqual(m!.reaction, { emoji: '👍', reaction: 'love', at: new Date(at + 1_000).toISOString() });
      // Taken back, then a reaction stored late that came before the unreact: the unreact is what holds.
      await deliver(reactionItem('7005', 'm.7005.1', 'unreact', at + 3_000));
      await deliver(reactionItem('7005', 'm.7005.1', 'react', at + 2_000, '😮'));
      [m] = await history('7005');
      assert.equal(m!.reaction, undefined);
      const head = (await listEvents(app.ctx, cliActor, null, 100)).next_after;
      await deliver(reactionItem('7005', 'm.7005.1', 'react', at + 4_000, '😮'));
      [m] = await history('7005');
      assert.equal(m!.reaction?.emoji, '😮');
      const events = await listEvents(app.ctx, cliActor, head, 100);
      assert.ok(events.data.some((e) => e.type === 'message.updated' && e.contact_id === m!.contact_id));
    });
  });
}
