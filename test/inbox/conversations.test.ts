import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { authenticate } from '../../src/modules/access/authenticate.ts';
import { listConversations } from '../../src/modules/conversations/list-conversations.ts';
import { updateConversation } from '../../src/modules/conversations/update-conversation.ts';
import { addNote } from '../../src/modules/conversations/add-note.ts';
import { markConversationRead } from '../../src/modules/conversations/mark-read.ts';
import { getConversation } from '../../src/modules/conversations/get-conversation.ts';
import { listContactMessages } from '../../src/modules/conversations/list-messages.ts';
import { wakeSnoozedConversations } from '../../src/modules/conversations/inbox-workers.ts';
import { listEvents } from '../../src/modules/events/list-events.ts';
import { drain, echoItem, envelope, ingestApp, messageItem, PAGE_A, PAGE_B, postWebhook } from '../ingest/support.ts';
import { inboxTab } from './support.ts';

const HOUR = 3_600_000;
const tab = inboxTab;

for (const dialect of testDialects()) {
  test(`the inbox's conversations [${dialect}]`, async (t) => {
    let app!: TestApp;
    let mid = 0;
    const write = async (pageId: string, psid: string, text: string, at = app.clock.now()) => {
      await postWebhook(app, envelope(pageId, [messageItem(pageId, psid, `m.${++mid}`, text, at)]));
      await drain(app);
    };
    const owner = () => cliActor;
    before(async () => {
      app = await ingestApp(dialect);
    });
    after(async () => app.close());

    await t.test('a first message opens a conversation, unread and waiting since it was sent', async () => {
      const sentAt = app.clock.now() - 60_000;
      await write(PAGE_A, '9001', 'Where is my parcel?', sentAt);
      const list = await listConversations(app.ctx, owner(), PAGE_A, tab());
      assert.equal(list.data.length, 1);
      const c = list.data[0]!;
      assert.equal(c.status, 'open');
      assert.equal(c.unread_count, 1);
      assert.equal(c.waiting_since, new Date(sentAt).toISOString());
      assert.equal(c.last_message?.text, 'Where is my parcel?');
      assert.equal(c.last_message?.direction, 'inbound');
      assert.deepEqual(list.counts, { mine: 0, unassigned: 1, all: 1 });
    });

    await t.test('a second message adds to the unread count and keeps the oldest wait', async () => {
      const before = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
      await write(PAGE_A, '9001', 'Hello?');
      const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
      assert.equal(c.unread_count, 2);
      assert.equal(c.waiting_since, before.waiting_since);
      assert.equal(c.last_message?.text, 'Hello?');
      assert.ok(c.version > before.version);
    });

    await t.test('the Page answering (an echo) ends the wait; reading ends the unread', async () => {
      await postWebhook(
        app,
        envelope(PAGE_A, [echoItem(PAGE_A, '9001', `m.${++mid}`, 'On its way!', app.clock.now())]),
      );
      await drain(app);
      const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
      assert.equal(c.waiting_since, null);
      assert.equal(c.last_message?.direction, 'outbound');
      await markConversationRead(app.ctx, owner(), c.id);
      assert.equal((await getConversation(app.ctx, owner(), c.id)).unread_count, 0);
    });

    await t.test('another Page’s conversations are not listed, and one is not found by id', async () => {
      await write(PAGE_B, '9002', 'Page B question');
      const scoped = await createToken(app.ctx, cliActor, { name: 'agent A', role: 'agent', pageIds: [PAGE_A] });
      const agentA = await authenticate(app.ctx, `Bearer ${scoped.token}`, 'req_test', '127.0.0.1');
      assert.deepEqual(
        (await listConversations(app.ctx, owner(), PAGE_B, tab())).data.map((c) => c.page_id),
        [PAGE_B],
      );
      await assert.rejects(listConversations(app.ctx, agentA, PAGE_B, tab()), { code: 'not_found' });
      const bId = (await listConversations(app.ctx, owner(), PAGE_B, tab())).data[0]!.id;
      await assert.rejects(getConversation(app.ctx, agentA, bId), { code: 'not_found' });
    });

    await t.test('resolving is audited and announced; a new message reopens the conversation', async () => {
      const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
      const resolved = await updateConversation(app.ctx, owner(), c.id, { status: 'resolved' }, c.version);
      assert.equal(resolved.status, 'resolved');
      assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab())).data.length, 0);
      assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ status: 'resolved' }))).data.length, 1);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'conversation.update')
        .execute();
      assert.equal(audit.length, 1);
      assert.deepEqual(JSON.parse(audit[0]!.details!), { changes: { status: { from: 'open', to: 'resolved' } } });
      await write(PAGE_A, '9001', 'One more thing');
      assert.equal((await getConversation(app.ctx, owner(), c.id)).status, 'open');
    });

    await t.test('a change made on a stale version is a conflict and changes nothing', async () => {
      const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
      await updateConversation(app.ctx, owner(), c.id, { labels: ['vip'] }, c.version);
      await assert.rejects(updateConversation(app.ctx, owner(), c.id, { status: 'resolved' }, c.version), {
        code: 'conflict',
      });
      const now = await getConversation(app.ctx, owner(), c.id);
      assert.equal(now.status, 'open');
      assert.deepEqual(now.labels, ['vip']);
    });

    await t.test('a snooze ends on time through the background job, not before', async () => {
      const c = await getConversation(
        app.ctx,
        owner(),
        (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!.id,
      );
      const until = new Date(app.clock.now() + 2 * HOUR).toISOString();
      const snoozed = await updateConversation(app.ctx, owner(), c.id, { snoozed_until: until }, null);
      assert.equal(snoozed.status, 'snoozed');
      assert.equal(await wakeSnoozedConversations(app.ctx), 0);
      app.clock.advance(2 * HOUR);
      assert.equal(await wakeSnoozedConversations(app.ctx), 1);
      const woken = await getConversation(app.ctx, owner(), c.id);
      assert.equal(woken.status, 'open');
      assert.equal(woken.snoozed_until, null);
    });

    await t.test(
      'bad changes are refused naming the field: a snooze in the past, a label of symbols, an unknown assignee',
      async () => {
        const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
        await assert.rejects(
          updateConversation(
            app.ctx,
            owner(),
            c.id,
            { snoozed_until: new Date(app.clock.now() - 1).toISOString() },
            null,
          ),
          { code: 'validation_failed', details: { field: 'snoozed_until' } },
        );
        await assert.rejects(updateConversation(app.ctx, owner(), c.id, { labels: ['<b>'] }, null), {
          code: 'validation_failed',
          details: { field: 'labels' },
        });
        await assert.rejects(
          updateConversation(app.ctx, owner(), c.id, { assignee_id: 'us_00000000000000000000000000' }, null),
          { code: 'validation_failed', details: { field: 'assignee_id' } },
        );
      },
    );

    await t.test(
      'a note joins the history as author note, without a delivery and without touching the wait',
      async () => {
        const c = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data[0]!;
        const note = await addNote(app.ctx, owner(), c.id, 'Customer called, refund approved');
        assert.equal(note.author, 'note');
        assert.equal(note.delivery_id, undefined);
        const after = await getConversation(app.ctx, owner(), c.id);
        assert.equal(after.waiting_since, c.waiting_since);
        assert.equal(await app.ctx.db.selectFrom('deliveries').select('id').executeTakeFirst(), undefined);
      },
    );

    await t.test(
      'q finds conversations by a word of a message and by the start of a name, with no text stored in the clear',
      async () => {
        await write(PAGE_A, '9003', 'My invoice is wrong');
        const byWord = await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'INVOICE' }));
        assert.equal(byWord.data.length, 1);
        assert.equal(byWord.data[0]!.last_message?.text, 'My invoice is wrong');
        assert.deepEqual(byWord.counts, { mine: 0, unassigned: 1, all: 1 });
        assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'parcel' }))).data.length, 1);
        assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'invoice parcel' }))).data.length, 0);
        assert.equal((await listConversations(app.ctx, owner(), PAGE_B, tab({ q: 'invoice' }))).data.length, 0);
        const tokens = await app.ctx.db.selectFrom('message_tokens').select('token').execute();
        assert.ok(tokens.length > 0);
        assert.ok(tokens.every((r) => !/invoice|parcel/i.test(r.token)));
      },
    );

    await t.test('tabs, filters and the waiting sort: the longest wait first, the answered last', async () => {
      const list = await listConversations(app.ctx, owner(), PAGE_A, tab({ sort: 'waiting_since' }));
      assert.equal(list.data.length, 2);
      assert.ok(list.data[0]!.waiting_since !== null);
      assert.equal(
        (await listConversations(app.ctx, owner(), PAGE_A, tab({ unreplied: true }))).data.length,
        list.data.filter((c) => c.waiting_since).length,
      );
      assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ assignee: 'me' }))).data.length, 0);
      assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ window: 'closed' }))).data.length, 0);
      assert.equal((await listConversations(app.ctx, owner(), PAGE_A, tab({ window: 'open' }))).data.length, 2);
    });

    await t.test(
      'window filters: closing soon within the last 2 hours of 24, the human-agent days, closed after 7 days',
      async () => {
        const ids = (await listConversations(app.ctx, owner(), PAGE_A, tab())).data.map((c) => c.contact.id);
        const at = (hoursAgo: number) => app.clock.now() - hoursAgo * HOUR;
        await app.ctx.db
          .updateTable('contacts')
          .set({ last_user_action_at: at(23) })
          .where('id', '=', ids[0]!)
          .execute();
        await app.ctx.db
          .updateTable('contacts')
          .set({ last_user_action_at: at(72) })
          .where('id', '=', ids[1]!)
          .execute();
        const of = async (window: 'open' | 'closing_soon' | 'human_agent' | 'closed') =>
          (await listConversations(app.ctx, owner(), PAGE_A, tab({ window }))).data.map((c) => c.contact.id);
        assert.deepEqual(await of('closing_soon'), [ids[0]]);
        const closingSoon = await listConversations(app.ctx, owner(), PAGE_A, tab({ window: 'closing_soon' }));
        assert.equal(closingSoon.counts.all, 1);
        const wordAndWindow = (q: string, window: 'closing_soon' | 'human_agent') =>
          listConversations(app.ctx, owner(), PAGE_A, tab({ q, window }));
        const [first] = (await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'invoice' }))).data;
        const invoiceWindow = first!.contact.id === ids[0] ? 'closing_soon' : 'human_agent';
        const otherWindow = invoiceWindow === 'closing_soon' ? 'human_agent' : 'closing_soon';
        assert.equal((await wordAndWindow('invoice', invoiceWindow)).counts.all, 1);
        assert.equal((await wordAndWindow('invoice', otherWindow)).data.length, 0);
        assert.equal((await wordAndWindow('invoice', otherWindow)).counts.all, 0);
        assert.deepEqual(await of('human_agent'), [ids[1]]);
        assert.deepEqual(await of('closed'), []);
        assert.deepEqual((await of('open')).sort(), [ids[0]!].sort());
        await app.ctx.db
          .updateTable('contacts')
          .set({ last_user_action_at: at(24 * 8) })
          .where('id', '=', ids[1]!)
          .execute();
        assert.deepEqual(await of('closed'), [ids[1]]);
        await app.ctx.db
          .updateTable('contacts')
          .set({ last_user_action_at: app.clock.now() })
          .where('id', 'in', ids)
          .execute();
      },
    );

    await t.test('pages follow one another by cursor without a gap or a repeat', async () => {
      for (let i = 0; i < 5; i++) await write(PAGE_A, `95${i}`, `question ${i}`);
      for (const sort of ['last_activity', 'waiting_since'] as const) {
        const all = (await listConversations(app.ctx, owner(), PAGE_A, tab({ sort }))).data.map((c) => c.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof listConversations>> = await listConversations(
            app.ctx,
            owner(),
            PAGE_A,
            tab({ sort, limit: 2, cursor }),
          );
          seen.push(...page.data.map((c) => c.id));
          cursor = page.next_cursor;
        } while (cursor);
        assert.deepEqual(seen, all);
      }
    });

    await t.test(
      'events: every change above is there in order, ids only, and a reader sees only its Pages',
      async () => {
        const head = await listEvents(app.ctx, owner(), null, 100);
        assert.equal(head.data.length, 0);
        const all = await listEvents(app.ctx, owner(), 0, 1000);
        assert.ok(all.data.length > 10);
        const seqs = all.data.map((e) => e.seq);
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
        );
        assert.equal(all.next_after, head.next_after);
        const json = JSON.stringify(all.data);
        assert.doesNotMatch(json, /parcel|invoice|9001|refund/i);
        const types = new Set(all.data.map((e) => e.type));
        for (const type of ['message.created', 'conversation.updated']) assert.ok(types.has(type as never), type);
        const scoped = await createToken(app.ctx, cliActor, { name: 'agent B', role: 'agent', pageIds: [PAGE_B] });
        const agentB = await authenticate(app.ctx, `Bearer ${scoped.token}`, 'req_test', '127.0.0.1');
        const mine = await listEvents(app.ctx, agentB, 0, 1000);
        assert.ok(mine.data.length > 0);
        assert.ok(mine.data.every((e) => e.page_id === PAGE_B));
      },
    );

    await t.test('a reader ahead of the log (a restored database) is told to reset', async () => {
      const page = await listEvents(app.ctx, owner(), 10_000_000, 10);
      assert.equal(page.reset, true);
    });

    await t.test(
      'a search pages through every match in both orders, and an empty tab still counts the others',
      async () => {
        await write(PAGE_A, '9004', 'Another question about the parcel');
        for (const sort of ['last_activity', 'waiting_since'] as const) {
          const whole = await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'parcel', sort }));
          assert.equal(whole.data.length, 2);
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page = await listConversations(
              app.ctx,
              owner(),
              PAGE_A,
              tab({ q: 'parcel', sort, limit: 1, cursor }),
            );
            assert.deepEqual(page.counts, whole.counts);
            seen.push(...page.data.map((c) => c.id));
            cursor = page.next_cursor;
          } while (cursor);
          assert.deepEqual(
            seen,
            whole.data.map((c) => c.id),
          );
        }
        const mine = await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'parcel', assignee: 'me' }));
        assert.equal(mine.data.length, 0);
        assert.deepEqual(mine.counts, { mine: 0, unassigned: 2, all: 2 });
      },
    );

    await t.test(
      'a button pressed joins the history with its title and payload, reopens the conversation, and is stored once',
      async () => {
        await write(PAGE_A, '9005', 'Hello there');
        const [open] = (await listConversations(app.ctx, owner(), PAGE_A, tab({ q: 'hello' }))).data;
        await updateConversation(app.ctx, owner(), open!.id, { status: 'resolved' }, open!.version);
        const press = {
          sender: { id: '9005' },
          recipient: { id: PAGE_A },
          timestamp: app.clock.now(),
          postback: { mid: 'm.pb.9005', title: 'Track my order', payload: 'TRACK_ORDER' },
        };
        await postWebhook(app, envelope(PAGE_A, [press]));
        await postWebhook(app, envelope(PAGE_A, [press]));
        await drain(app);
        const after = await getConversation(app.ctx, owner(), open!.id);
        assert.equal(after.status, 'open');
        assert.equal(after.last_message?.kind, 'postback');
        assert.equal(after.last_message?.text, 'Track my order');
        const { rows } = await listContactMessages(app.ctx, owner(), open!.contact.id, 'asc', null, 50);
        assert.deepEqual(
          rows.map((m) => [m.kind, m.text, m.postback_payload]),
          [
            ['message', 'Hello there', undefined],
            ['postback', 'Track my order', 'TRACK_ORDER'],
          ],
        );
      },
    );
  });
}
