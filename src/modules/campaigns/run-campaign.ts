// Starting, pausing, resuming and cancelling a campaign. Every change is one conditional status update (the same
// request twice, or two racing, change it once), audited, with a `campaign.updated` event, in one transaction.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignRecipientTable, CampaignStatus, CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { campaignAudience } from './campaign-audience.ts';
import { assignVariant } from './campaign.policy.ts';
import type { CampaignView, StoredVariant } from './campaign.presenter.ts';
import { presentCampaign } from './campaign.presenter.ts';
import { campaignStats, campaignUpdated, visibleCampaign } from './campaigns.ts';
import { cancelPendingRecipients, findCampaign, insertRecipients, moveCampaign } from './campaigns.repository.ts';
import { resolveUtilityTemplate, type CampaignTemplate } from './utility-template.ts';

/**
 * Stores the campaign's audience as it is at `now`: every member of its segment, eligible ones `pending`, the others
 * `skipped` with the reason, each with its variant. In the caller's transaction (the one that makes it running), so
 * a campaign is never running without its recipients. Returns how many are pending.
 */
export async function freezeAudience(ctx: AppContext, trx: Executor, c: CampaignTable, now: number): Promise<number> {
  const weights = (JSON.parse(c.variants) as StoredVariant[]).map((v) => v.weight);
  let pending = 0;
  for await (const batch of campaignAudience(ctx, trx, c, now)) {
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
    pending += rows.filter((r) => r.status === 'pending').length;
    await insertRecipients(trx, rows);
  }
  return pending;
}

/** Makes a scheduled campaign that fell due (or a draft started now) running with its audience frozen; once. */
export async function beginCampaign(ctx: AppContext, trx: Executor, c: CampaignTable, now: number): Promise<boolean> {
  if (!(await moveCampaign(trx, c.id, ['draft', 'scheduled'], 'running', { started_at: now }, now))) return false;
  await freezeAudience(ctx, trx, c, now);
  return true;
}

type Action = 'start' | 'pause' | 'resume' | 'cancel';

const wrongState = (action: Action, status: CampaignStatus) =>
  new AppError('conflict', `a ${status} campaign cannot ${action === 'start' ? 'be started' : action}`, {
    reason: 'wrong_status',
    status,
  });

/**
 * Changes a campaign's state as `action` says. Idempotent: an action whose end state the campaign is already in
 * answers with the campaign and changes nothing (starting twice starts once); an action that cannot apply (resume a
 * draft, pause a completed campaign) is a 409. Audited only when it changed something.
 */
export async function runCampaign(ctx: AppContext, actor: Actor, id: string, action: Action): Promise<CampaignView> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const c = await visibleCampaign(trx, actor, id);
    const changed = await apply(ctx, trx, c, action, now);
    if (changed) {
      await appendAudit(
        trx,
        actor,
        {
          action: `campaign.${action}`,
          pageId: c.page_id,
          subjectType: 'campaign',
          subjectId: c.id,
          details: { name: c.name, from: c.status },
        },
        now,
      );
      await campaignUpdated(trx, ctx, c, now);
    }
    return (await findCampaign(trx, c.id, null))!;
  });
  return presentCampaign(row, await campaignStats(ctx.db, row));
}

async function apply(ctx: AppContext, trx: Executor, c: CampaignTable, action: Action, now: number): Promise<boolean> {
  switch (action) {
    case 'start': {
      if (c.status !== 'draft') {
        if (['scheduled', 'running', 'paused', 'completed'].includes(c.status)) return false;
        throw wrongState(action, c.status);
      }
      if (c.template !== null) await resolveUtilityTemplate(trx, c.page_id, JSON.parse(c.template) as CampaignTemplate);
      if (c.schedule_at !== null && c.schedule_at > now)
        return moveCampaign(trx, c.id, ['draft'], 'scheduled', {}, now);
      return beginCampaign(ctx, trx, c, now);
    }
    case 'pause':
      if (c.status === 'paused') return false;
      if (c.status !== 'running') throw wrongState(action, c.status);
      return moveCampaign(trx, c.id, ['running'], 'paused', {}, now);
    case 'resume':
      if (c.status === 'running') return false;
      if (c.status !== 'paused') throw wrongState(action, c.status);
      return moveCampaign(trx, c.id, ['paused'], 'running', {}, now);
    case 'cancel': {
      if (c.status === 'cancelled') return false;
      if (c.status === 'completed') throw wrongState(action, c.status);
      const moved = await moveCampaign(
        trx,
        c.id,
        ['draft', 'scheduled', 'running', 'paused'],
        'cancelled',
        { finished_at: now },
        now,
      );
      if (moved) await cancelPendingRecipients(trx, c.id, now);
      return moved;
    }
  }
}
