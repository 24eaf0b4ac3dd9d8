import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppContext } from '../../kernel/context.ts';
import { systemClock } from '../../lib/time.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { testDialects } from '../../../test/support/db.ts';
import { insertContact } from '../../../test/messaging/support.ts';
import { cliActor } from '../access/actor.ts';
import { registerPage } from '../pages/register-page.ts';
import { claimSends, type ClaimedSend } from './claim-sends.ts';
import { enqueueSend } from './enqueue-send.ts';
import { PageTokens, prepareSend } from './prepare-send.ts';

const LEASE = 30_000;

for (const dialect of testDialects()) {
  describe(`preparing a claimed send [${dialect}]`, () => {
    let app: TestApp;
    let ctx: AppContext;
    let pages = 0;
    let psids = 7100000000000000;
    before(async () => {
      app = await createTestApp(dialect);
      // The policy's 24-hour window is counted on the real clock, as the contacts' last actions are.
      ctx = { ...app.ctx, clock: systemClock };
    });
    after(() => app.close());

    async function queued(): Promise<{ claimed: ClaimedSend; psid: string }> {
      const pageId = `71000000000${String(++pages).padStart(4, '0')}`;
      await registerPage(ctx, cliActor, { id: pageId, name: 'Prepare', access_token: `token-${pageId}` });
      const psid = String(++psids);
      const contactId = await insertContact(ctx, pageId, psid);
      const message = { text: 'your order shipped' };
      const input = { contactId, author: 'automation' as const, message, kind: 'text' as const };
      await ctx.db.transaction().execute((trx) => enqueueSend(trx, ctx, input));
      const claim = { owner: 'w-prepare', now: Date.now(), leaseMs: LEASE, limit: 1, contactIds: [contactId] };
      const claimed = await ctx.db.transaction().execute((trx) => claimSends(trx, dialect, claim));
      assert.equal(claimed.length, 1);
      return { claimed: claimed[0]!, psid };
    }

    it('claims a delivery with its contact and Page, to be sent within a third of its lease', async () => {
      const before = Date.now();
      const { claimed } = await queued();
      assert.equal(claimed.target?.id, claimed.delivery.contact_id);
      assert.equal(claimed.page?.id, claimed.delivery.page_id);
      assert.ok(claimed.deadline >= before + LEASE / 3 && claimed.deadline <= Date.now() + LEASE / 3);
    });

    it('builds the Send API body: the PSID as recipient, the messaging type, the delivery id as metadata', async () => {
      const { claimed, psid } = await queued();
      const p = await prepareSend(ctx, new PageTokens(ctx), claimed, Date.now());
      assert.ok(!('type' in p), 'prepared');
      assert.deepEqual(p.body, {
        recipient: { id: psid },
        messaging_type: 'RESPONSE',
        message: { text: 'your order shipped', metadata: claimed.delivery.id },
      });
      assert.equal(p.token, `token-${claimed.delivery.page_id}`);
      assert.deepEqual([p.kind, p.attempt, p.labels], ['text', 1, { messaging_type: 'RESPONSE', tag: null }]);
    });

    it('skips the send of a contact erased, or whose PSID Meta refused, since it was queued', async () => {
      const { claimed } = await queued();
      const tokens = new PageTokens(ctx);
      const erased = { ...claimed, target: { ...claimed.target!, status: 'erased' as const } };
      assert.deepEqual(await prepareSend(ctx, tokens, erased, Date.now()), { type: 'skipped', reason: 'erased' });
      assert.deepEqual(await prepareSend(ctx, tokens, { ...claimed, target: undefined }, Date.now()), {
        type: 'skipped',
        reason: 'erased',
      });
      const refused = { ...claimed, target: { ...claimed.target!, psid_invalid_at: Date.now() } };
      const invalid = { type: 'skipped', reason: 'invalid_recipient' };
      assert.deepEqual(await prepareSend(ctx, tokens, refused, Date.now()), invalid);
    });

    it('skips a send the policy now refuses (opted out), and puts back one whose Page is paused', async () => {
      const { claimed } = await queued();
      const tokens = new PageTokens(ctx);
      const optedOut = { ...claimed, target: { ...claimed.target!, consent_replies: 'withdrawn' as const } };
      assert.deepEqual(await prepareSend(ctx, tokens, optedOut, Date.now()), { type: 'skipped', reason: 'opted_out' });
      const now = Date.now();
      const paused = { ...claimed, page: { ...claimed.page!, status: 'token_invalid' as const } };
      assert.deepEqual(await prepareSend(ctx, tokens, paused, now), { type: 'requeue', at: now });
    });

    it("decrypts a Page's token again once the Page was registered with a new one", async () => {
      const { claimed } = await queued();
      const tokens = new PageTokens(ctx);
      assert.equal(tokens.of(claimed.page!), `token-${claimed.page!.id}`);
      const renewed = { id: claimed.page!.id, name: 'Prepare', access_token: 'renewed-token' };
      const { page } = await registerPage(ctx, cliActor, renewed);
      assert.equal(tokens.of(page), 'renewed-token');
    });
  });
}
