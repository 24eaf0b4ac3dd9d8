import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppContext } from '../../kernel/context.ts';
import { systemClock } from '../../lib/time.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { testDialects } from '../../../test/support/db.ts';
import { insertContact } from '../../../test/messaging/support.ts';
import { cliActor } from '../access/actor.ts';
import { registerPage } from '../pages/register-page.ts';
import { commitTurn } from './commit-turn.ts';
import { enqueueSend } from './enqueue-send.ts';

const PAGE = '710000000009001';

for (const dialect of testDialects()) {
  describe(`committing a dispatcher turn [${dialect}]`, () => {
    let app: TestApp;
    let ctx: AppContext;
    let psids = 7200000000000000;
    before(async () => {
      app = await createTestApp(dialect);
      ctx = { ...app.ctx, clock: systemClock };
      await registerPage(ctx, cliActor, { id: PAGE, name: 'Commit', access_token: 'commit-token' });
    });
    after(() => app.close());

    async function contactWithTwoSends(): Promise<string> {
      const contactId = await insertContact(ctx, PAGE, String(++psids));
      await ctx.db.transaction().execute(async (trx) => {
        for (const text of ['first', 'second']) {
          await enqueueSend(trx, ctx, { contactId, author: 'automation', message: { text }, kind: 'text' });
        }
      });
      return contactId;
    }
    const claimOf = (contactIds: string[]) => ({ owner: 'w-commit', leaseMs: 30_000, limit: 10, contactIds });
    const status = async (id: string) =>
      (await ctx.db.selectFrom('deliveries').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    it("records a send's outcome and claims its contact's next delivery in the same commit", async () => {
      const contactId = await contactWithTwoSends();
      const first = await commitTurn(ctx, [], claimOf([contactId]));
      await first.durable;
      assert.equal(first.claimed.length, 1, 'one delivery of a contact at a time');
      const sent = first.claimed[0]!.delivery;
      const attempt = { delivery: sent, attempt: sent.attempts };
      const sentOutcome = { attempt, outcome: { type: 'sent' as const, mid: 'm_commit_1' } };
      const next = await commitTurn(ctx, [sentOutcome], claimOf([contactId]));
      await next.durable;
      assert.equal(await status(sent.id), 'sent');
      assert.equal(next.claimed.length, 1);
      assert.notEqual(next.claimed[0]!.delivery.id, sent.id);
      assert.equal(await status(next.claimed[0]!.delivery.id), 'sending');
    });

    it('changes nothing for an attempt whose delivery was claimed again since', async () => {
      const contactId = await contactWithTwoSends();
      const { claimed } = await commitTurn(ctx, [], claimOf([contactId]));
      const d = claimed[0]!.delivery;
      const stale = { delivery: d, attempt: d.attempts - 1 };
      const late = { attempt: stale, outcome: { type: 'sent' as const, mid: 'm_stale' } };
      const turn = await commitTurn(ctx, [late], claimOf([contactId]));
      assert.equal(await status(d.id), 'sending');
      assert.deepEqual(turn.claimed, [], 'the next delivery waits while the first is still sending');
    });

    it('writes nothing of a turn whose transaction fails', async () => {
      const contactId = await contactWithTwoSends();
      const { claimed } = await commitTurn(ctx, [], claimOf([contactId]));
      const d = claimed[0]!.delivery;
      const attempt = { delivery: d, attempt: d.attempts };
      const outcomes = [{ attempt, outcome: { type: 'sent' as const, mid: 'm_lost' } }];
      // A claim the database refuses (a limit that is not a number) fails the whole turn, outcomes included.
      await assert.rejects(commitTurn(ctx, outcomes, { ...claimOf([contactId]), limit: Number.NaN }));
      assert.equal(await status(d.id), 'sending');
    });
  });
}
