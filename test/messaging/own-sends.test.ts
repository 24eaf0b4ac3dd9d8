// Our own sends coming back as webhooks: Meta echoes each message the Page sends and reports its delivery and its
// reading. The echo must be matched to the send that made it (one history row, whichever of the two is recorded
// first), and the receipts must move the delivery on: sent → delivered → read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { createGraphClient, type GraphClient } from '../../src/platform/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { sendMessage } from '../../src/modules/messaging/send-message.ts';
import { SECRET, drain, emulatedApp } from '../ingest/support.ts';
import { eventually } from './support.ts';

for (const dialect of testDialects()) {
  describe(`our own sends coming back from Meta [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let page: string;
    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect));
      page = pages[0]!;
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    const settle = async () => {
      await emu.emulator.flush();
      await drain(app);
    };
    const delivery = (id: string) =>
      app.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const outbound = (contactId: string) =>
      app.ctx.db
        .selectFrom('messages')
        .select(['id', 'mid'])
        .where('contact_id', '=', contactId)
        .where('direction', '=', 'outbound')
        .execute();

    /** A person who wrote to the Page, their contact, and one reply queued to them. */
    const replyQueued = async (first: string) => {
      const user = emu.emulator.createUser({ first_name: first, last_name: 'Test' }).id;
      await emu.emulator.user(user).says(page, 'is my order shipped?');
      await settle();
      const psid = emu.emulator.psid(user, page)!;
      const contact = await app.ctx.db
        .selectFrom('contacts')
        .select('id')
        .where('psid_bidx', '=', app.ctx.keyring.blindIndex(psid, 'psid'))
        .executeTakeFirstOrThrow();
      const { delivery: queued } = await sendMessage(app.ctx, cliActor, contact.id, { text: 'yes, it left today' });
      return { user, contactId: contact.id, deliveryId: queued.id };
    };

    /** Runs a dispatcher (with `graph`, if given) until the delivery is past `sending`. */
    const dispatch = async (deliveryId: string, graph?: GraphClient) => {
      const worker = startDispatcher(app.ctx, { idleMs: 20, ...(graph && { graph }) });
      try {
        await eventually(
          async () => !['queued', 'sending'].includes((await delivery(deliveryId)).status),
          'the send is recorded',
        );
      } finally {
        await worker.stop();
      }
    };

    it('keeps one history row when the echo comes after the send is recorded, and the receipts take it to delivered, then read', async () => {
      const { user, contactId, deliveryId } = await replyQueued('Ada');
      await dispatch(deliveryId);
      assert.equal((await delivery(deliveryId)).status, 'sent');
      await settle();
      const sent = await delivery(deliveryId);
      const history = await outbound(contactId);
      assert.equal(history.length, 1, 'the echo is matched to the send, not stored again');
      assert.deepEqual([history[0]!.mid, sent.mid !== null], [sent.mid, true]);
      assert.equal(sent.status, 'delivered');
      await emu.emulator.user(user).reads(page);
      await settle();
      assert.equal((await delivery(deliveryId)).status, 'read');
    });

    it('a delivery receipt that names the message marks it delivered even when Meta’s clock is behind ours', async () => {
      const { deliveryId } = await replyQueued('Cy');
      // Our clock runs ahead of Meta's: the send is recorded later than the receipt's watermark.
      app.clock.advance(5_000);
      await dispatch(deliveryId);
      const sent = await delivery(deliveryId);
      assert.ok(sent.sent_at! > emu.emulator.clock.now(), 'the watermark is earlier than sent_at');
      await settle();
      assert.equal((await delivery(deliveryId)).status, 'delivered');
    });

    it('keeps one history row when the echo is processed while the send is still in flight, and the late result changes nothing', async () => {
      const { contactId, deliveryId } = await replyQueued('Bo');
      const real = createGraphClient({
        baseUrl: app.ctx.config.meta.graphUrl,
        version: app.ctx.config.meta.graphVersion,
        appSecret: SECRET,
        timeoutMs: 8000,
      });
      // Meta answers, and its echo and delivery receipt are processed before the dispatcher records the answer.
      const graph: GraphClient = {
        ...real,
        sendMessage: async (token, body) => {
          const answer = await real.sendMessage(token, body);
          await settle();
          return answer;
        },
      };
      await dispatch(deliveryId, graph);
      const d = await delivery(deliveryId);
      const history = await outbound(contactId);
      assert.equal(history.length, 1, 'the echo is matched to the send through its metadata, not stored again');
      assert.equal(history[0]!.mid, d.mid);
      assert.equal(d.status, 'delivered', 'the late result of the send does not move the delivery back to sent');
    });
  });
}
