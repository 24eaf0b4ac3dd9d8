import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { sendMessage } from '../../src/modules/messaging/send-message.ts';
import {
  acceptedDeliveryIds,
  addContact,
  addPage,
  createMessagingWorld,
  eventually,
  type MessagingWorld,
} from './support.ts';

const FAST_RETRY = { backoff: { baseMs: 50, maxMs: 300 }, maxAttempts: 50 };

for (const dialect of testDialects()) {
  test(`the dispatcher against the emulator [${dialect}]`, async (t) => {
    let w!: MessagingWorld;
    before(async () => {
      w = await createMessagingWorld(dialect, { rateLimits: { textPerSecond: 10 } });
    });
    after(async () => w.close());
    const send = async (contactId: string, text: string) =>
      (await sendMessage(w.ctx, cliActor, contactId, { text })).delivery.id;
    const delivery = (id: string) =>
      w.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const statusOf = async (ids: string[]) =>
      (await w.ctx.db.selectFrom('deliveries').select('status').where('id', 'in', ids).execute()).map((r) => r.status);
    // Two messages to the contact, and the dispatcher run until both are final (failed or skipped).
    const sendTwoUntilFinal = async (contactId: string): Promise<[string, string]> => {
      const first = await send(contactId, 'are you there?');
      const second = await send(contactId, 'hello?');
      const worker = startDispatcher(w.ctx, { retry: FAST_RETRY });
      await eventually(
        async () => (await statusOf([first, second])).every((s) => s === 'failed' || s === 'skipped'),
        'both are final',
      );
      await worker.stop();
      return [first, second];
    };

    await t.test(
      'sends each delivery once, in order per contact, tagged with its delivery id as metadata',
      async () => {
        const page = await addPage(w, 'Order Page');
        const a = await addContact(w, page.id);
        const b = await addContact(w, page.id, {}, 'Bo');
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push(await send(i % 3 === 0 ? b.id : a.id, `message ${i}`));
        const worker = startDispatcher(w.ctx, { concurrency: 8, retry: FAST_RETRY });
        await eventually(async () => (await statusOf(ids)).every((s) => s === 'sent'), 'all twelve are sent');
        await worker.stop();
        const accepted = acceptedDeliveryIds(w.meta).filter((id) => ids.includes(id));
        assert.deepEqual([...accepted].sort(), [...ids].sort());
        const inboxA = w.meta.emulator.inbox(a.userId, page.id).map((m) => m.text);
        assert.deepEqual(
          inboxA,
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].filter((i) => i % 3 !== 0).map((i) => `message ${i}`),
        );
        const first = await delivery(ids[1]!);
        const history = await w.ctx.db
          .selectFrom('messages')
          .select('mid')
          .where('id', '=', first.message_id)
          .executeTakeFirstOrThrow();
        assert.equal(history.mid, first.mid);
        assert.equal(w.meta.emulator.inbox(a.userId, page.id)[0]!.mid, first.mid);
      },
    );

    await t.test('sends nothing a turn claimed before that turn is on disk', async () => {
      const page = await addPage(w, 'Flush Page');
      const held = await send((await addContact(w, page.id)).id, 'only once it is written down');
      let release!: () => void;
      const flushEnds = new Promise<void>((resolve) => (release = resolve));
      const database = w.ctx.database;
      const claims = (result: unknown, id: string) =>
        Array.isArray(result) && (result as { delivery: { id: string } }[]).some((c) => c.delivery.id === id);
      // The same database, where the flush to disk of the turn that claims `held` ends only when the test says so.
      const slowDisk: typeof database = {
        ...database,
        transactionFlushedLater: async (fn) => {
          const { result, durable } = await database.transactionFlushedLater(fn);
          return { result, durable: claims(result, held) ? durable.then(() => flushEnds) : durable };
        },
      };
      const worker = startDispatcher({ ...w.ctx, database: slowDisk }, { retry: FAST_RETRY });
      await eventually(async () => (await delivery(held)).status === 'sending', 'the delivery is claimed');
      // A later delivery, claimed by a turn whose flush ends at once, goes out while the first one's flush is held.
      const later = await send((await addContact(w, page.id, {}, 'Cy')).id, 'written down at once');
      worker.wake();
      await eventually(async () => (await delivery(later)).status === 'sent', 'the later delivery is sent');
      assert.equal(acceptedDeliveryIds(w.meta).includes(held), false, 'sent before its claim was on disk');
      release();
      await eventually(async () => (await delivery(held)).status === 'sent', 'sent once the flush ended');
      await worker.stop();
      assert.equal(acceptedDeliveryIds(w.meta).filter((d) => d === held).length, 1);
    });

    await t.test('retries rate-limited sends (613) with backoff until Meta accepts them', async () => {
      const page = await addPage(w, 'Busy Page');
      const people = [];
      for (let i = 0; i < 15; i++) people.push(await addContact(w, page.id, {}, `P${i}`));
      const ids: string[] = [];
      for (const p of people) for (let i = 0; i < 2; i++) ids.push(await send(p.id, `burst ${i}`));
      // Our limit is set far above the emulator's 10/s, so Meta's own limit answers 613 and we must retry.
      const worker = startDispatcher(w.ctx, { concurrency: 32, rates: { text: 1000 }, retry: FAST_RETRY });
      await eventually(async () => (await statusOf(ids)).every((s) => s === 'sent'), 'all thirty are sent', 30_000);
      await worker.stop();
      const rateLimited = w.meta.emulator
        .calls()
        .filter((c) => (c.answer as { error?: { code?: number } }).error?.code === 613);
      assert.ok(rateLimited.length > 0, 'the emulator refused some sends with 613');
      const accepted = acceptedDeliveryIds(w.meta).filter((id) => ids.includes(id));
      assert.equal(accepted.length, ids.length);
      assert.equal(new Set(accepted).size, ids.length);
    });

    await t.test(
      'marks a contact who blocked the Page unreachable, fails that send without retry, and skips the next',
      async () => {
        const page = await addPage(w, 'Blocked Page');
        const c = await addContact(w, page.id);
        await w.meta.emulator.user(c.userId).blocks(page.id);
        const [first, second] = await sendTwoUntilFinal(c.id);
        const d1 = await delivery(first);
        assert.deepEqual([d1.status, d1.error_code, d1.meta_code, d1.attempts], ['failed', 'unreachable', 551, 1]);
        assert.deepEqual(
          [(await delivery(second)).status, (await delivery(second)).reason],
          ['skipped', 'unreachable'],
        );
        const contact = await w.ctx.db
          .selectFrom('contacts')
          .select(['status', 'status_reason'])
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow();
        assert.deepEqual(contact, { status: 'unreachable', status_reason: 'unreachable' });
      },
    );

    await t.test(
      'flags a contact whose PSID Meta took back (100/2018001) for reconciliation, fails that send once, and skips the next',
      async () => {
        const page = await addPage(w, 'Reassigned Page');
        const c = await addContact(w, page.id);
        w.meta.emulator.reassignPsid(c.userId, page.id);
        const [first, second] = await sendTwoUntilFinal(c.id);
        const d1 = await delivery(first);
        assert.deepEqual(
          [d1.status, d1.error_code, d1.meta_code, d1.meta_subcode, d1.attempts],
          ['failed', 'invalid_recipient', 100, 2018001, 1],
        );
        assert.deepEqual(
          [(await delivery(second)).status, (await delivery(second)).reason],
          ['skipped', 'invalid_recipient'],
        );
        const contact = await w.ctx.db
          .selectFrom('contacts')
          .select('psid_invalid_at')
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow();
        assert.notEqual(contact.psid_invalid_at, null);
        // Meta gives the person a new PSID when they next write; the old one stays unknown to it.
        await w.meta.emulator.user(c.userId).says(page.id, 'new phone');
        assert.notEqual(w.meta.emulator.psid(c.userId, page.id), c.psid);
      },
    );

    await t.test('fails a send Meta says is outside the window (10/2018278) without retrying it', async () => {
      const page = await addPage(w, 'Late Page');
      const c = await addContact(w, page.id);
      await w.meta.emulator.advance(25 * 3_600_000);
      try {
        const id = await send(c.id, 'too late for Meta');
        const worker = startDispatcher(w.ctx, { retry: FAST_RETRY });
        await eventually(async () => (await statusOf([id]))[0] === 'failed', 'the send failed');
        await worker.stop();
        const d = await delivery(id);
        assert.deepEqual([d.error_code, d.meta_code, d.meta_subcode, d.attempts], ['outside_window', 10, 2018278, 1]);
      } finally {
        await w.ctx.db.updateTable('contacts').set({ status: 'erased' }).where('id', '=', c.id).execute();
      }
    });

    await t.test(
      'pauses a Page whose token Meta rejects (190), keeps its queue, and resumes it when the token is replaced',
      async () => {
        const page = await addPage(w, 'Revoked Page', 'EAAG-revoked-page-token');
        const c = await addContact(w, page.id);
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) ids.push(await send(c.id, `kept ${i}`));
        const worker = startDispatcher(w.ctx, { retry: FAST_RETRY, idleMs: 20 });
        await eventually(
          async () =>
            (await w.ctx.db.selectFrom('pages').select('status').where('id', '=', page.id).executeTakeFirstOrThrow())
              .status === 'token_invalid',
          'the Page is paused',
        );
        await eventually(
          async () => (await statusOf(ids)).every((s) => s === 'queued'),
          'its deliveries are back in the queue',
        );
        const audit = await w.ctx.db
          .selectFrom('audit_events')
          .selectAll()
          .where('action', '=', 'page.token_invalid')
          .where('page_id', '=', page.id)
          .execute();
        assert.equal(audit.length, 1);
        assert.match(await w.ctx.metrics.registry.metrics(), /pagescope_pages_token_invalid_total{source="send"} 1/);
        assert.match(w.app.logs.text(), /Meta rejected the Page access token .*marked token_invalid/);
        // Operators see it where they look: the Page's API object and `pages list` (the same presenter).
        const shown = await w.app.server.inject({
          method: 'GET',
          url: `/api/v1/pages/${page.id}`,
          headers: { authorization: `Bearer ${w.app.ownerToken}` },
        });
        assert.equal(shown.json().status, 'token_invalid');
        assert.equal(w.app.logs.text().includes('EAAG-revoked-page-token'), false);

        await registerPage(w.ctx, cliActor, { id: page.id, name: 'Revoked Page', access_token: page.token });
        await eventually(
          async () => (await statusOf(ids)).every((s) => s === 'sent'),
          'all four are sent after re-registration',
        );
        await worker.stop();
        assert.deepEqual(
          w.meta.emulator.inbox(c.userId, page.id).map((m) => m.text),
          ['kept 0', 'kept 1', 'kept 2', 'kept 3'],
        );
      },
    );

    await t.test(
      "keeps a contact's queue flowing without waiting for the idle pause: each result claims that contact's next",
      async () => {
        const page = await addPage(w, 'Flow Page');
        const c = await addContact(w, page.id);
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await send(c.id, `flow ${i}`));
        // The first claim finds one delivery (the others wait behind it) and the idle pause is a minute: only the
        // claim made with each result can move the queue.
        const worker = startDispatcher(w.ctx, { concurrency: 4, idleMs: 60_000, retry: FAST_RETRY });
        try {
          await eventually(async () => (await statusOf(ids)).every((s) => s === 'sent'), 'all five are sent');
        } finally {
          await worker.stop();
        }
        assert.deepEqual(
          w.meta.emulator.inbox(c.userId, page.id).map((m) => m.text),
          ['flow 0', 'flow 1', 'flow 2', 'flow 3', 'flow 4'],
        );
      },
    );

    await t.test('claims ahead of its free slots, and on stop gives back what it had not started', async () => {
      const page = await addPage(w, 'Ahead Page');
      const people = [];
      for (let i = 0; i < 6; i++) people.push(await addContact(w, page.id, {}, `A${i}`));
      const ids: string[] = [];
      for (const p of people) ids.push(await send(p.id, 'ahead'));
      // One slot, and our own limit lets one send through per second: the rest wait claimed.
      const worker = startDispatcher(w.ctx, {
        concurrency: 1,
        prefetch: 5,
        rates: { text: 1, windowMs: 1000 },
        retry: FAST_RETRY,
      });
      try {
        await eventually(async () => (await statusOf(ids)).includes('sent'), 'the first is sent');
        const waiting = (await statusOf(ids)).filter((s) => s === 'sending').length;
        assert.ok(waiting >= 4, `${waiting} claimed behind the one slot`);
      } finally {
        await worker.stop();
      }
      const rows = await w.ctx.db
        .selectFrom('deliveries')
        .select(['id', 'status', 'lease_owner', 'next_attempt_at'])
        .where('id', 'in', ids)
        .execute();
      const accepted = new Set(acceptedDeliveryIds(w.meta));
      for (const r of rows) {
        assert.equal(r.lease_owner, null);
        if (accepted.has(r.id)) assert.equal(r.status, 'sent');
        else assert.equal(r.status, 'queued', 'a delivery that was not sent is back in the queue');
      }
      assert.ok(rows.filter((r) => r.status === 'queued').length >= 4);
      const worker2 = startDispatcher(w.ctx, { concurrency: 8, retry: FAST_RETRY });
      await eventually(
        async () => (await statusOf(ids)).every((s) => s === 'sent'),
        'the rest are sent by the next worker',
      );
      await worker2.stop();
      assert.equal(acceptedDeliveryIds(w.meta).filter((id) => ids.includes(id)).length, 6, 'each was sent once');
    });

    await t.test('drains on stop: nothing is left sending and nothing claimed is lost', async () => {
      const page = await addPage(w, 'Drain Page');
      const people = [];
      for (let i = 0; i < 8; i++) people.push(await addContact(w, page.id, {}, `D${i}`));
      const ids: string[] = [];
      for (const p of people) for (let i = 0; i < 5; i++) ids.push(await send(p.id, `drain ${i}`));
      const worker = startDispatcher(w.ctx, { concurrency: 8, retry: FAST_RETRY });
      await eventually(async () => (await statusOf(ids)).some((s) => s === 'sent'), 'sending has begun');
      await worker.stop();
      const after = await statusOf(ids);
      assert.equal(after.filter((s) => s === 'sending').length, 0);
      const accepted = new Set(acceptedDeliveryIds(w.meta));
      const sentIds = (
        await w.ctx.db
          .selectFrom('deliveries')
          .select('id')
          .where('id', 'in', ids)
          .where('status', '=', 'sent')
          .execute()
      ).map((r) => r.id);
      assert.ok(sentIds.every((id) => accepted.has(id)));
      assert.equal(
        [...accepted].filter((id) => ids.includes(id)).length,
        sentIds.length,
        'every send Meta accepted is recorded as sent',
      );
    });
  });
}
