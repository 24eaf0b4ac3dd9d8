import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { decideSend, type Author } from '../../src/modules/messaging/send.policy.ts';
import { listContactMessages } from '../../src/modules/conversations/list-messages.ts';
import { addContact, addPage, createMessagingWorld, type MessagingWorld } from './support.ts';

const HOUR = 3_600_000;

for (const dialect of testDialects()) {
  test(`the messaging API [${dialect}]`, async (t) => {
    let w!: MessagingWorld;
    let pageA!: { id: string };
    let pageB!: { id: string };
    let contact!: { id: string };
    let other!: { id: string };
    before(async () => {
      w = await createMessagingWorld(dialect);
      pageA = await addPage(w, 'Shop A');
      pageB = await addPage(w, 'Shop B');
      contact = await addContact(w, pageA.id, { last_user_action_at: w.app.clock.now() - HOUR });
      other = await addContact(w, pageB.id, { last_user_action_at: w.app.clock.now() - HOUR });
    });
    after(async () => w.close());
    const post = (contactId: string, payload: Record<string, unknown>, token = w.app.ownerToken) =>
      w.app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${contactId}/messages`,
        headers: bearer(token),
        payload,
      });

    await t.test('queues a reply inside the window as RESPONSE and answers 202 with the delivery', async () => {
      const res = await post(contact.id, {
        text: 'Your order shipped',
        quick_replies: [{ content_type: 'text', title: 'Thanks', payload: 'THANKS' }],
      });
      assert.equal(res.statusCode, 202);
      const { delivery } = res.json();
      assert.match(delivery.id, /^dl_/);
      assert.deepEqual(
        { ...delivery, id: null },
        { id: null, status: 'queued', messaging_type: 'RESPONSE', tag: null },
      );
    });

    await t.test('writes the outbound history row with the delivery, its text encrypted and no mid yet', async () => {
      const rows = await w.ctx.db
        .selectFrom('messages')
        .selectAll()
        .where('contact_id', '=', contact.id)
        .where('direction', '=', 'outbound')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.mid, null);
      assert.equal(rows[0]!.author, 'agent');
      assert.match(rows[0]!.delivery_id ?? '', /^dl_/);
      assert.equal(rows[0]!.text_enc?.includes('Your order shipped'), false);
    });

    await t.test('the history shows the send with where it stands and the quick replies it offered', async () => {
      const { rows } = await listContactMessages(w.ctx, cliActor, contact.id, 'desc', null, 50);
      const sent = rows.find((m) => m.direction === 'outbound')!;
      assert.equal(sent.text, 'Your order shipped');
      assert.deepEqual(sent.delivery, { id: sent.delivery_id, status: 'queued' });
      assert.deepEqual(sent.quick_replies, [{ content_type: 'text', title: 'Thanks', payload: 'THANKS' }]);
      await w.ctx.db
        .updateTable('deliveries')
        .set({ status: 'failed', error_code: 'unreachable', meta_code: 551, meta_subcode: 1545041 })
        .where('id', '=', sent.delivery_id!)
        .execute();
      const failed = (await listContactMessages(w.ctx, cliActor, contact.id, 'desc', null, 50)).rows.find(
        (m) => m.id === sent.id,
      )!;
      assert.deepEqual(failed.delivery, {
        id: sent.delivery_id,
        status: 'failed',
        error: { code: 'unreachable', meta_code: 551, meta_subcode: 1545041 },
      });
      await w.ctx.db
        .updateTable('deliveries')
        .set({ status: 'queued', error_code: null, meta_code: null, meta_subcode: null })
        .where('id', '=', sent.delivery_id!)
        .execute();
    });

    await t.test('shows the delivery by id, and 404 for another Page’s delivery to a scoped token', async () => {
      const sent = (await post(contact.id, { text: 'hello again' })).json().delivery;
      const got = await w.app.server.inject({
        method: 'GET',
        url: `/api/v1/deliveries/${sent.id}`,
        headers: bearer(w.app.ownerToken),
      });
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().status, 'queued');
      assert.equal(got.json().contact_id, contact.id);
      const scoped = await createToken(w.ctx, cliActor, { name: 'agent B', role: 'agent', pageIds: [pageB.id] });
      const hidden = await w.app.server.inject({
        method: 'GET',
        url: `/api/v1/deliveries/${sent.id}`,
        headers: bearer(scoped.token),
      });
      const missing = await w.app.server.inject({
        method: 'GET',
        url: '/api/v1/deliveries/dl_00000000000000000000000000',
        headers: bearer(scoped.token),
      });
      assert.equal(hidden.statusCode, 404);
      assert.deepEqual(
        { ...hidden.json().error, request_id: null, message: null },
        { ...missing.json().error, request_id: null, message: null },
      );
    });

    await t.test('answers 404 for another Page’s contact, exactly as for a missing one', async () => {
      const scoped = await createToken(w.ctx, cliActor, { name: 'agent A', role: 'agent', pageIds: [pageA.id] });
      const hidden = await post(other.id, { text: 'hi' }, scoped.token);
      const missing = await post('ct_nope', { text: 'hi' }, scoped.token);
      assert.equal(hidden.statusCode, 404);
      assert.equal(missing.statusCode, 404);
      assert.equal(hidden.json().error.message, missing.json().error.message);
      const stored = await w.ctx.db.selectFrom('deliveries').select('id').where('contact_id', '=', other.id).execute();
      assert.equal(stored.length, 0);
    });

    await t.test('refuses an analyst token with 403', async () => {
      const analyst = await createToken(w.ctx, cliActor, { name: 'analyst', role: 'analyst' });
      assert.equal((await post(contact.id, { text: 'hi' }, analyst.token)).statusCode, 403);
    });

    await t.test(
      'rejects bad bodies with 400: both text and attachment, 2000 characters, 14 quick replies, unknown fields',
      async () => {
        const bodies = [
          { text: 'a', attachment: { type: 'image', payload: { url: 'https://x.test/a.png' } } },
          { text: 'x'.repeat(2000) },
          {
            text: 'pick',
            quick_replies: Array.from({ length: 14 }, (_, i) => ({
              content_type: 'text',
              title: `q${i}`,
              payload: `${i}`,
            })),
          },
          { text: 'hi', author: 'campaign' },
          { text: 'hi', surprise: true },
          {},
        ];
        for (const body of bodies) {
          const res = await post(contact.id, body);
          assert.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 60));
          assert.equal(res.json().error.code, 'validation_failed');
        }
      },
    );

    await t.test('accepts text of 1999 characters', async () => {
      assert.equal((await post(contact.id, { text: 'x'.repeat(1999) })).statusCode, 202);
    });

    await t.test(
      'returns the first delivery again for a repeated idempotency key, and 409 for the key on another contact',
      async () => {
        const first = (await post(contact.id, { text: 'once', idempotency_key: 'order-42' })).json().delivery;
        const again = await post(contact.id, { text: 'once', idempotency_key: 'order-42' });
        assert.equal(again.statusCode, 202);
        assert.equal(again.json().delivery.id, first.id);
        const sibling = await addContact(w, pageA.id, { last_user_action_at: w.app.clock.now() - HOUR }, 'Bea');
        assert.equal((await post(sibling.id, { text: 'once', idempotency_key: 'order-42' })).statusCode, 409);
        const n = await w.ctx.db
          .selectFrom('deliveries')
          .select('id')
          .where('idempotency_key', '=', 'order-42')
          .execute();
        assert.equal(n.length, 1);
      },
    );

    await t.test('refuses exactly what the send policy refuses, with the policy’s reason as the 422 code', async () => {
      const ages = [null, HOUR, 30 * HOUR, 8 * 24 * HOUR];
      let checked = 0;
      for (const pageStatus of ['active', 'token_invalid', 'disabled'] as const) {
        await w.ctx.db.updateTable('pages').set({ status: pageStatus }).where('id', '=', pageA.id).execute();
        for (const status of ['active', 'unreachable'] as const) {
          for (const replies of ['granted', 'withdrawn'] as const) {
            for (const age of ages) {
              const now = w.app.clock.now();
              const lastUserActionAt = age === null ? null : now - age;
              await w.ctx.db
                .updateTable('contacts')
                .set({ status, consent_replies: replies, last_user_action_at: lastUserActionAt })
                .where('id', '=', contact.id)
                .execute();
              for (const author of ['agent', 'automation'] as Author[]) {
                const expected = decideSend({
                  author,
                  now,
                  lastUserActionAt,
                  contactStatus: status,
                  consent: { replies, marketing: 'none' },
                  marketingToken: null,
                  pageStatus,
                  kind: 'text',
                });
                const res = await post(contact.id, { text: 'policy probe', author });
                const label = `${pageStatus}/${status}/${replies}/${age}/${author}`;
                if (expected.allowed) {
                  assert.equal(res.statusCode, 202, label);
                  assert.equal(res.json().delivery.messaging_type, expected.messagingType, label);
                  assert.equal(res.json().delivery.tag, expected.tag ?? null, label);
                } else {
                  assert.equal(res.statusCode, 422, label);
                  assert.equal(res.json().error.code, expected.reason, label);
                }
                checked++;
              }
            }
          }
        }
      }
      assert.equal(checked, 96);
      await w.ctx.db.updateTable('pages').set({ status: 'active' }).where('id', '=', pageA.id).execute();
    });

    await t.test('writes nothing for a refused send', async () => {
      await w.ctx.db
        .updateTable('contacts')
        .set({ status: 'active', consent_replies: 'withdrawn', last_user_action_at: w.app.clock.now() })
        .where('id', '=', contact.id)
        .execute();
      const before = await w.ctx.db.selectFrom('deliveries').select('id').execute();
      const res = await post(contact.id, { text: 'should not be stored' });
      assert.equal(res.json().error.code, 'opted_out');
      const after = await w.ctx.db.selectFrom('deliveries').select('id').execute();
      assert.equal(after.length, before.length);
    });

    await t.test('audits each queued send without the message text', async () => {
      const rows = await w.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'message.send').execute();
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => !(r.details ?? '').includes('policy probe')));
      assert.equal(w.app.logs.text().includes('policy probe'), false);
    });
  });
}
