import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import type { Actor } from '../../src/modules/access/actor.ts';
import { listConversations } from '../../src/modules/conversations/list-conversations.ts';
import { drain, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from '../ingest/support.ts';
import { inboxTab } from './support.ts';

const HOUR = 3_600_000;
const ME = 'us_listfilterme000000000000000';
const OTHER = 'us_listfilterother0000000000000';
const me: Actor = { type: 'user', id: ME, role: 'owner', pageScope: null, requestId: null, sessionId: null };
const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const tab = inboxTab;

// Ten conversations: every other one speaks of an invoice; the first six are in a window closing soon (23 hours since
// the person last wrote), the next two in the human-agent days, the last two just wrote; a third are mine, a third
// someone else's, a third nobody's.
type Person = {
  id: string;
  invoice: boolean;
  window: 'closing_soon' | 'human_agent' | 'open';
  assignee: string | null;
};

for (const dialect of testDialects()) {
  test(`the inbox list filtered by a search word and a window together [${dialect}]`, async (t) => {
    let app!: TestApp;
    const people: Person[] = [];
    before(async () => {
      app = await ingestApp(dialect);
      const now = app.clock.now();
      for (const [i, name] of NAMES.entries()) {
        const text = i % 2 === 0 ? `the invoice for ${name}` : `the parcel for ${name}`;
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, `97${i}`, `m.97${i}`, text, now - i * 60_000)]));
      }
      await drain(app);
      for (const [i, name] of NAMES.entries()) {
        const [found] = (await listConversations(app.ctx, me, PAGE_A, tab({ q: name }))).data;
        const window = i < 6 ? 'closing_soon' : i < 8 ? 'human_agent' : 'open';
        const assignee = i % 3 === 0 ? ME : i % 3 === 1 ? OTHER : null;
        const hoursAgo = window === 'closing_soon' ? 23 : window === 'human_agent' ? 72 : 0;
        await app.ctx.db
          .updateTable('contacts')
          .set({ last_user_action_at: now - hoursAgo * HOUR })
          .where('id', '=', found!.contact.id)
          .execute();
        await app.ctx.db
          .updateTable('conversations')
          .set({ assignee_id: assignee })
          .where('id', '=', found!.id)
          .execute();
        people.push({ id: found!.id, invoice: i % 2 === 0, window, assignee });
      }
    });
    after(async () => app.close());

    const expected = (window: Person['window'], assignee: 'me' | 'unassigned' | 'all') => {
      const kept = people.filter((p) => p.invoice && p.window === window);
      const inTab = kept.filter((p) =>
        assignee === 'all' ? true : assignee === 'me' ? p.assignee === ME : !p.assignee,
      );
      return {
        // Newest activity first: the people were written a minute apart, the first last.
        ids: inTab.map((p) => p.id),
        counts: {
          mine: kept.filter((p) => p.assignee === ME).length,
          unassigned: kept.filter((p) => !p.assignee).length,
          all: kept.length,
        },
      };
    };

    for (const window of ['closing_soon', 'human_agent'] as const)
      for (const assignee of ['all', 'me', 'unassigned'] as const)
        await t.test(`"invoice" and ${window}, tab ${assignee}: the page and the three counts`, async () => {
          const list = await listConversations(app.ctx, me, PAGE_A, tab({ q: 'invoice', window, assignee }));
          const want = expected(window, assignee);
          assert.deepEqual(
            list.data.map((c) => c.id),
            want.ids,
          );
          assert.deepEqual(list.counts, want.counts);
        });

    await t.test('the figures above are those of a list that keeps some but not all of each', () => {
      assert.deepEqual(expected('closing_soon', 'all').counts, { mine: 1, unassigned: 1, all: 3 });
      assert.deepEqual(expected('human_agent', 'unassigned').ids, []);
    });

    await t.test('page by page, one at a time, the counts stay those of the whole set', async () => {
      const whole = await listConversations(app.ctx, me, PAGE_A, tab({ q: 'invoice', window: 'closing_soon' }));
      for (const sort of ['last_activity', 'waiting_since'] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof listConversations>> = await listConversations(
            app.ctx,
            me,
            PAGE_A,
            tab({ q: 'invoice', window: 'closing_soon', sort, limit: 1, cursor }),
          );
          assert.deepEqual(page.counts, whole.counts);
          seen.push(...page.data.map((c) => c.id));
          cursor = page.next_cursor;
        } while (cursor);
        assert.deepEqual([...seen].sort(), whole.data.map((c) => c.id).sort());
      }
    });
  });
}
