// Migration 0039 on a database whose search index still holds a row per message and word: the rows become one per
// contact and word with the time of the newest message that holds it, and the words only texts purged since held go.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { up } from '../../src/db/migrations/0039-message-words-per-contact.ts';
import { nameWords } from '../../src/modules/contacts/name-tokens.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from '../ingest/support.ts';

const TEXTS = ['my refund please', 'refund please, still waiting', 'the refund arrived'];

for (const dialect of testDialects()) {
  test(`migration 0039 keeps one search row per contact and word [${dialect}]`, async (t) => {
    let app!: TestApp;
    let sentAt: number[] = [];
    let contactId = '';
    before(async () => {
      app = await ingestApp(dialect);
      const now = app.clock.now();
      for (const [i, text] of TEXTS.entries())
        await postWebhook(
          app,
          envelope(PAGE_A, [messageItem(PAGE_A, '9401', `m.mig.${i}`, text, now - (3 - i) * 60_000)]),
        );
      await drain(app);
      const messages = await app.ctx.db.selectFrom('messages').selectAll().orderBy('sent_at').execute();
      assert.equal(messages.length, 3);
      contactId = messages[0]!.contact_id;
      sentAt = messages.map((m) => Number(m.sent_at));
      // Back to the index before 0039: a row per message and word, with its three indexes.
      const db = app.ctx.db;
      await sql`drop table message_tokens`.execute(db);
      await sql`create table message_tokens (message_id text not null, page_id text not null, contact_id text not null,
        key_version integer not null, token text not null)`.execute(db);
      await sql`create index message_tokens_lookup on message_tokens (page_id, token, contact_id)`.execute(db);
      await sql`create index message_tokens_message on message_tokens (message_id)`.execute(db);
      await sql`create index message_tokens_contact on message_tokens (contact_id)`.execute(db);
      const version = app.ctx.keyring.currentVersion;
      for (const [i, m] of messages.entries())
        for (const word of nameWords(TEXTS[i]!))
          await sql`insert into message_tokens (message_id, page_id, contact_id, key_version, token)
            values (${m.id}, ${m.page_id}, ${m.contact_id}, ${version}, ${app.ctx.keyring.searchToken(word)})`.execute(
            db,
          );
      // The first message's text was purged by retention (its words stayed in the old index).
      await db.updateTable('messages').set({ text_enc: null }).where('id', '=', messages[0]!.id).execute();
      await up(db, dialect);
    });
    after(async () => app.close());

    await t.test(
      'each word of a stored text is one row, with the time of the newest message that holds it',
      async () => {
        const rows = await app.ctx.db.selectFrom('message_tokens').selectAll().execute();
        const at = new Map(rows.map((r) => [r.token, Number(r.last_at)]));
        const token = (w: string) => app.ctx.keyring.searchToken(w);
        assert.equal(rows.length, 6, 'refund, please, still, waiting, the, arrived');
        assert.ok(rows.every((r) => r.contact_id === contactId && r.page_id === PAGE_A));
        assert.equal(at.get(token('refund')), sentAt[2]);
        assert.equal(at.get(token('please')), sentAt[1]);
        assert.equal(at.get(token('my')), undefined, 'a word only a purged text held is not carried over');
      },
    );
  });
}
