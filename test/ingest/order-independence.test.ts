import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { updateContact } from '../../src/modules/contacts/contacts.repository.ts';
import { canonicalState } from './dump.ts';
import { PAGE_A, drain, echoItem, envelope, ingestApp, messageItem, postWebhook, readItem } from './support.ts';

const T = Date.UTC(2026, 10, 28, 9);
const P1 = '3000000000000001';
const P2 = '3000000000000002';
const at = (psid: string, ts: number, rest: Record<string, unknown>) => ({
  sender: { id: psid },
  recipient: { id: PAGE_A },
  timestamp: ts,
  ...rest,
});
const marketing = (ts: number, status?: string) =>
  at(P1, ts, {
    optin: {
      type: 'notification_messages',
      notification_messages_token: '77001',
      title: 'deals',
      ...(status && { notification_messages_status: status }),
    },
  });

/** One person's story in single-item deliveries: messages, receipts, marketing opt-in/STOP/RESUME, checkbox, echo, handover. */
const STORY = [
  envelope(PAGE_A, [messageItem(PAGE_A, P1, 'm_one', 'one', T + 1)]),
  envelope(PAGE_A, [messageItem(PAGE_A, P1, 'm_two', 'two', T + 5, { quick_reply: { payload: 'QR_YES' } })]),
  envelope(PAGE_A, [readItem(PAGE_A, P1, T + 3)]),
  envelope(PAGE_A, [readItem(PAGE_A, P1, T + 8)]),
  envelope(PAGE_A, [marketing(T + 2)]),
  envelope(PAGE_A, [marketing(T + 6, 'STOP NOTIFICATIONS')]),
  envelope(PAGE_A, [marketing(T + 7, 'RESUME NOTIFICATIONS')]),
  envelope(PAGE_A, [{ recipient: { id: PAGE_A }, timestamp: T, optin: { ref: 'cart', user_ref: 'ur-checkbox-1' } }]),
  envelope(PAGE_A, [
    {
      ...messageItem(PAGE_A, P2, 'm_three', 'after the checkbox', T + 9),
      prior_message: { source: 'checkbox_plugin', identifier: 'ur-checkbox-1' },
    },
  ]),
  envelope(PAGE_A, [echoItem(PAGE_A, P1, 'm_echo', 'from the inbox', T + 10)]),
  envelope(PAGE_A, [at(P1, T + 11, { postback: { mid: 'm_pb', title: 'Help', payload: 'HELP' } })]),
  envelope(PAGE_A, [at(P1, T + 12, { pass_thread_control: { new_owner_app_id: '111', metadata: 'to inbox' } })]),
  envelope(PAGE_A, [
    at(P1, T + 13, { take_thread_control: { previous_owner_app_id: '111', new_owner_app_id: '222' } }),
  ]),
];

async function replay(app: TestApp, order: number[], batched: boolean): Promise<Record<string, unknown>> {
  for (const i of order) {
    assert.equal((await postWebhook(app, STORY[i]!)).statusCode, 200);
    if (!batched) await drain(app);
  }
  await drain(app);
  return canonicalState(app.ctx);
}

for (const dialect of testDialects()) {
  describe(`processing order [${dialect}]`, () => {
    it('leaves the same state whatever order and batching the events arrive in', async () => {
      const reference = await ingestApp(dialect);
      const expected = await replay(
        reference,
        STORY.map((_, i) => i),
        false,
      );
      await reference.close();
      const contacts = expected.contacts as Record<string, unknown>[];
      const p1 = contacts.find((c) => String(c.who).endsWith(P1))!;
      assert.equal(p1.read_watermark, T + 8);
      assert.equal(p1.consent_marketing, 'granted');
      assert.equal(p1.thread_owner_app_id, '222');
      assert.equal(p1.last_user_action_at, T + 11);
      assert.equal((expected.user_refs as { who: string }[])[0]!.who, `${PAGE_A}/${P2}`);
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(
            STORY.map((_, i) => i),
            { minLength: STORY.length },
          ),
          fc.boolean(),
          async (order, batched) => {
            const app = await ingestApp(dialect);
            try {
              assert.deepEqual(await replay(app, order, batched), expected);
            } finally {
              await app.close();
            }
          },
        ),
        { numRuns: dialect === 'sqlite' ? 12 : 4 },
      );
    });

    it('runs inbound hooks once per new message or postback, never for duplicates, echoes or receipts', async () => {
      const app = await ingestApp(dialect);
      try {
        const seen: string[] = [];
        app.ctx.inboundHooks.register('test', async (e) => {
          seen.push(`${e.event.kind}:${e.text ?? e.payload ?? ''}`);
        });
        const twice = messageItem(PAGE_A, P1, 'm_hook', 'hook me', T + 1);
        await postWebhook(app, envelope(PAGE_A, [twice]));
        await postWebhook(app, envelope(PAGE_A, [twice, readItem(PAGE_A, P1, T + 2)]));
        await postWebhook(app, STORY[9]!);
        await postWebhook(app, STORY[10]!);
        await drain(app);
        assert.deepEqual(seen.sort(), ['message:hook me', 'postback:HELP']);
      } finally {
        await app.close();
      }
    });

    it('makes an unreachable contact active when it writes after being marked, not for an older message', async () => {
      const app = await ingestApp(dialect);
      try {
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, P1, 'm_a', 'a', T)]));
        await drain(app);
        const contact = await app.ctx.db.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
        await updateContact(app.ctx.db, contact.id, {
          status: 'unreachable',
          status_at: T + 100,
          status_reason: 'meta_551',
        });
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, P1, 'm_late', 'late but older', T + 50)]));
        await drain(app);
        assert.equal(
          (await app.ctx.db.selectFrom('contacts').select('status').executeTakeFirstOrThrow()).status,
          'unreachable',
        );
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, P1, 'm_new', 'I am back', T + 200)]));
        await drain(app);
        assert.equal(
          (await app.ctx.db.selectFrom('contacts').select('status').executeTakeFirstOrThrow()).status,
          'active',
        );
      } finally {
        await app.close();
      }
    });
  });
}
