// Property: whatever people do (and the Page answers), every webhook verifies with the app secret and parses
// into a well-formed Meta envelope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActionError, createEmulator, verifySignature256, type Action } from '../../src/emulator/index.ts';
import { recordingTransport } from '../../src/emulator/testing.ts';

const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s.length > 0);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('message' as const), text }),
  fc.record({
    type: fc.constant('message' as const),
    attachments: fc.constant<unknown[]>([{ type: 'image', url: 'https://cdn.example/a/b.png' }]),
  }),
  fc.record({ type: fc.constant('quick_reply' as const), text, payload: text }),
  fc.record({ type: fc.constant('postback' as const), payload: text, title: text }),
  fc.record({
    type: fc.constant('reaction' as const),
    mid: fc.constant('m_x'),
    reaction: fc.constantFrom('love', 'sad', 'wow'),
  }),
  fc.record({ type: fc.constant('read' as const) }),
  fc.record({ type: fc.constant('referral' as const), ref: fc.stringMatching(/^[A-Za-z0-9_=-]{1,20}$/) }),
  fc.record({ type: fc.constant('optin' as const), user_ref: fc.uuid() }),
  fc.record({
    type: fc.constant('optin' as const),
    marketing: fc.constantFrom('opt_in' as const, 'stop' as const, 'resume' as const),
    topic: fc.constantFrom('Deals', 'Nouveautés ✨'),
  }),
  fc.record({ type: fc.constant('block' as const) }),
  fc.record({ type: fc.constant('unblock' as const) }),
  fc.record({
    type: fc.constant('account_linking' as const),
    status: fc.constantFrom('linked' as const, 'unlinked' as const),
  }),
);
const step = fc.record({
  who: fc.nat(2),
  where: fc.nat(1),
  action,
  pageAnswers: fc.option(text),
  wait: fc.nat(30 * 3600_000),
});

test("any sequence of people's actions yields webhooks that verify with the app secret and parse", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 25 }), fc.nat(3), fc.boolean(), async (steps, batch, dup) => {
      const rec = recordingTransport();
      const emu = createEmulator({
        appSecret: 'prop-secret',
        clockMode: 'frozen',
        transport: rec.transport,
        webhookUrl: 'http://x/webhook',
        rateLimits: false,
        delivery: { batchSize: batch + 1, duplicateRate: dup ? 0.5 : 0 },
      });
      const pages = [emu.createPage({ name: 'Ünïcode / Page' }), emu.createPage({ name: 'Two' })];
      const people = [0, 1, 2].map((i) => emu.createUser({ first_name: `P${i}`, last_name: 'Ø' }));
      for (const s of steps) {
        const page = pages[s.where]!;
        try {
          const r = await emu.act(people[s.who]!.id, page.id, s.action);
          if (s.pageAnswers !== null && r.psid) {
            await emu.graph({
              method: 'POST',
              path: '/v25.0/me/messages',
              query: { access_token: page.access_token },
              body: { recipient: { id: r.psid }, message: { text: s.pageAnswers } },
            });
          }
        } catch (err) {
          if (!(err instanceof ActionError)) throw err;
        }
        await emu.advance(s.wait);
      }
      await emu.flush();
      for (const req of rec.requests.filter((r) => r.method === 'POST')) {
        assert.ok(verifySignature256('prop-secret', req.body!, req.headers['x-hub-signature-256']));
        // Meta's wire style: pure ASCII (DEL, 0x7f, is ASCII and JSON leaves it as it is), no raw control character.
        assert.match(req.body!, /^[\x20-\x7f]*$/);
        const env = JSON.parse(req.body!) as { object: string; entry: Record<string, unknown>[] };
        assert.equal(env.object, 'page');
        assert.ok(env.entry.length >= 1 && env.entry.length <= batch + 1);
        for (const entry of env.entry) {
          assert.ok(pages.some((p) => p.id === entry.id));
          assert.equal(typeof entry.time, 'number');
          const items = (entry.messaging ?? entry.standby) as Record<string, unknown>[];
          assert.equal(items.length, 1);
          const item = items[0]!;
          assert.equal(typeof item.timestamp, 'number');
          assert.ok(item.recipient);
        }
      }
    }),
    { numRuns: 60 },
  );
});
