// A started campaign's audience, frozen in batches by the campaign sender. Each batch is read outside any transaction
// (a segment's statement and the exclusions' reads hold no write lock) and stored in a short transaction of its own
// that first moves the campaign's keyset cursor on from the one the batch was read after: a batch read twice (two
// workers, or a restart) is stored once, a cancelled campaign's batch not at all, and a crash between batches
// resumes after the last one stored. Every batch is drawn with the filter recorded at start and with the start as
// "now", so the stored set is the audience at start, the set the preview counts; the unique key on (campaign,
// contact) keeps anyone from being stored twice whatever happens.
import type { AppContext } from '../../kernel/context.ts';
import { letEventLoopRun } from '../../kernel/loop.ts';
import type { CampaignRecipientTable, CampaignTable } from '../../db/tables/campaigns.ts';
import { newId } from '../../lib/ids.ts';
import { campaignAudience } from './campaign-audience.ts';
import { assignVariant } from './campaign.policy.ts';
import type { StoredVariant } from './campaign.presenter.ts';
import { campaignUpdated } from './campaigns.ts';
import { advanceFreeze, insertRecipients } from './campaigns.repository.ts';

/** Members checked and stored per batch: a short transaction even on a loaded machine. */
export const FREEZE_BATCH = 1000;

export interface FreezeStep {
  /** Members stored by this step (pending or skipped with the reason). */
  stored: number;
  /** The audience is complete: the campaign runs now (or stays paused, if it was paused meanwhile). */
  done: boolean;
  /** False when the campaign was no longer freezing from the cursor read (cancelled, or another worker went first). */
  moved: boolean;
  /** The cursor after this step: the next step reads after it. */
  cursor: string | null;
}

/**
 * Freezes the next batch of a started campaign's audience (`c` as read, with its cursor), in one transaction; the
 * last batch makes it running in that same transaction. Idempotent: a step from a stale cursor stores nothing.
 * `announce` (the sender's rate limit) says whether to append `campaign.updated` for progress; the last batch always
 * does.
 */
export async function freezeAudienceStep(
  ctx: AppContext,
  c: CampaignTable,
  opts: { batchSize?: number; announce?: boolean } = {},
): Promise<FreezeStep> {
  const size = opts.batchSize ?? FREEZE_BATCH;
  const at = Number(c.started_at);
  const from = c.audience_cursor ?? null;
  const walk = campaignAudience(ctx, ctx.db, c, at, { after: from, batchSize: size });
  const next = await walk.next();
  await walk.return(undefined);
  const batch = next.done ? [] : next.value;
  const done = batch.length < size;
  // The read was synchronous work on SQLite: let the thread's other work in before the write.
  await letEventLoopRun();
  const now = ctx.clock.now();
  const weights = (JSON.parse(c.variants) as StoredVariant[]).map((v) => v.weight);
  const rows: CampaignRecipientTable[] = batch.map((m) => ({
    id: newId('cr', now),
    campaign_id: c.id,
    page_id: c.page_id,
    contact_id: m.contactId,
    variant: assignVariant(c.id, m.contactId, weights),
    status: m.exclusion === null ? 'pending' : 'skipped',
    reason: m.exclusion,
    delivery_id: null,
    queued_at: null,
    clicked_at: null,
    coupon_code: null,
    created_at: now,
    updated_at: now,
  }));
  const to = batch.length ? batch[batch.length - 1]!.contactId : from;
  const moved = await ctx.db.transaction().execute(async (trx) => {
    if (!(await advanceFreeze(trx, c.id, from, to, done, now))) return false;
    await insertRecipients(trx, rows);
    if (done || opts.announce) await campaignUpdated(trx, ctx, c, now);
    return true;
  });
  return { stored: moved ? rows.length : 0, done: moved && done, moved, cursor: moved ? to : from };
}
