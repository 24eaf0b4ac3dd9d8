// Drives a started campaign's freeze the way the sender's turns do, one batch at a time, for tests that look at it
// between batches.
import type { AppContext } from '../../src/kernel/context.ts';
import { freezeAudienceStep, type FreezeStep } from '../../src/modules/campaigns/freeze-audience.ts';

/** The sender's next freeze turn for the campaign, from its row as stored now (`announce`: with a progress event). */
export async function freezeTurn(
  ctx: AppContext,
  id: string,
  batchSize: number,
  announce = false,
): Promise<FreezeStep> {
  const c = await ctx.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return freezeAudienceStep(ctx, c, { batchSize, announce });
}

/** Freeze turns until the audience is complete (or the campaign stops freezing); how many turns stored a batch. */
export async function freezeToTheEnd(ctx: AppContext, id: string, batchSize: number): Promise<number> {
  for (let turns = 1; ; turns++) {
    const step = await freezeTurn(ctx, id, batchSize);
    if (!step.moved) return turns - 1;
    if (step.done) return turns;
  }
}
