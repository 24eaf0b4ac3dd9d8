import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { listConversations, type ConversationListInput } from '../../src/modules/conversations/list-conversations.ts';
import { replaceNameTokens } from '../../src/modules/contacts/contacts.repository.ts';
import { nameTokens } from '../../src/modules/contacts/name-tokens.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from '../ingest/support.ts';
import { inboxTab } from './support.ts';

const me: Actor = {
  type: 'user',
  id: 'us_searchedgeme0000000000000000',
  role: 'owner',
  pageScope: null,
  requestId: null,
  sessionId: null,
};
const tab = (q: string, over: Partial<ConversationListInput> = {}) => inboxTab({ q, ...over });

// Three people: Ivy is called "Invoice" and wrote of an invoice twice; Bob, called "Parcel", asked about his invoice;
// Cleo wrote about a parcel. The search starts from the contacts a word matches and reaches their conversations: a
// contact found by its name and by several messages is still one conversation, counted once.
const PEOPLE = [
  { psid: '9101', name: 'Ivy Invoice', texts: ['the invoice is wrong', 'invoice again please'] },
  { psid: '9102', name: 'Bob Parcel', texts: ['where is my invoice'] },
  { psid: '9103', name: 'Cleo', texts: ['the parcel is late'] },
];

for (const dialect of testDialects()) {
  test(`the inbox search at its edges [${dialect}]`, async (t) => {
    let app!: TestApp;
    const idOf = new Map<string, { conversation: string; contact: string }>();
    const ids = async (q: string, over: Partial<ConversationListInput> = {}) => {
      const list = await listConversations(app.ctx, me, PAGE_A, tab(q, over));
      return { ids: list.data.map((c) => c.id), counts: list.counts };
    };
    before(async () => {
      app = await ingestApp(dialect);
      const now = app.clock.now();
      let n = 0;
      for (const p of PEOPLE)
        for (const text of p.texts) {
          n++;
          const item = messageItem(PAGE_A, p.psid, `m.${p.psid}.${n}`, text, now - (10 - n) * 60_000);
          await postWebhook(app, envelope(PAGE_A, [item]));
        }
      await drain(app);
      for (const p of PEOPLE) {
        const [found] = (await listConversations(app.ctx, me, PAGE_A, tab(p.texts[0]!.split(' ').at(-1)!))).data;
        assert.ok(found, `${p.name}'s conversation is found by the last word of their first message`);
        idOf.set(p.name, { conversation: found.id, contact: found.contact.id });
        await replaceNameTokens(app.ctx.db, found.contact.id, PAGE_A, nameTokens(app.ctx.keyring, [p.name]));
      }
    });
    after(async () => app.close());
    const conv = (name: string) => idOf.get(name)!.conversation;

    await t.test('a word in a name and in two messages of one person finds that conversation once', async () => {
      assert.deepEqual(await ids('invoice'), {
        // Newest activity first: Bob wrote after Ivy.
        ids: [conv('Bob Parcel'), conv('Ivy Invoice')],
        counts: { mine: 0, unassigned: 2, all: 2 },
      });
      assert.deepEqual(await ids('invoice', { limit: 1 }).then((r) => r.counts), { mine: 0, unassigned: 2, all: 2 });
    });

    await t.test('several words must all match, each in a name or in a message', async () => {
      // Bob: "invoice" in a message, "parcel" in his name; Cleo has a parcel but no invoice, Ivy the reverse.
      assert.deepEqual(await ids('invoice parcel'), {
        ids: [conv('Bob Parcel')],
        counts: { mine: 0, unassigned: 1, all: 1 },
      });
      assert.deepEqual(await ids('parcel invoice'), await ids('invoice parcel'));
      assert.deepEqual(await ids('invoice wrong'), {
        ids: [conv('Ivy Invoice')],
        counts: { mine: 0, unassigned: 1, all: 1 },
      });
      assert.deepEqual(await ids('cleo invoice'), { ids: [], counts: { mine: 0, unassigned: 0, all: 0 } });
    });

    await t.test('a word matching only another status leaves the open tab empty, its counts at zero', async () => {
      assert.deepEqual(await ids('late', { status: 'resolved' }), {
        ids: [],
        counts: { mine: 0, unassigned: 0, all: 0 },
      });
      assert.deepEqual(await ids('late'), { ids: [conv('Cleo')], counts: { mine: 0, unassigned: 1, all: 1 } });
    });

    await t.test('an erased person is found by none of their words, names or messages', async () => {
      await eraseContactData(app.ctx, idOf.get('Ivy Invoice')!.contact);
      assert.deepEqual(await ids('invoice'), { ids: [conv('Bob Parcel')], counts: { mine: 0, unassigned: 1, all: 1 } });
      for (const q of ['ivy', 'wrong', 'again'])
        assert.deepEqual(await ids(q), { ids: [], counts: { mine: 0, unassigned: 0, all: 0 } }, q);
      const left = await app.ctx.db
        .selectFrom('message_tokens')
        .select('contact_id')
        .where('contact_id', '=', idOf.get('Ivy Invoice')!.contact)
        .execute();
      assert.deepEqual(left, []);
    });
  });
}
