// Starting, pausing, resuming and cancelling a campaign. Every change is one conditional status update (the same
// request twice, or two racing, change it once), audited, with a `campaign.updated` event, in one transaction. A start
// only marks the campaign `starting`: the sender freezes its audience in batches, then makes it running. Pausing a
// starting campaign lets the freeze finish and keeps it paused; resuming before the freeze ended makes it starting
// again; cancelling stops the freeze and cancels whoever it had stored.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignStatus, CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { audienceFilter } from './campaign-audience.ts';
import type { CampaignView } from './campaign.presenter.ts';
import { presentCampaign } from './campaign.presenter.ts';
import { campaignStats, campaignUpdated, visibleCampaign } from './campaigns.ts';
import { cancelPendingRecipients, findCampaign, moveCampaign, resumeCampaignRow } from './campaigns.repository.ts';
import { resolveUtilityTemplate, type CampaignTemplate } from './utility-template.ts';

/**
 * Starts a draft started now, or a scheduled campaign that fell due, once: it becomes `starting`, with its start time
 * and the filter its audience is drawn with (a saved segment's as it is now: a 409 if it was deleted), and the sender
 * freezes its audience in batches from there (freeze-audience.ts). A short transaction, whatever the audience's size.
 */
export async function beginCampaign(trx: Executor, c: CampaignTable, now: number): Promise<boolean> {
  const filter = JSON.stringify(await audienceFilter(trx, c));
  return moveCampaign(trx, c.id, ['draft', 'scheduled'], 'starting', { started_at: now, audience_filter: filter }, now);
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
 * draft, pause a completed campaign) is a 409. Audited only when it changed something. Returns at once: a started
 * campaign is `starting` until the sender has frozen its audience.
 */
export async function runCampaign(ctx: AppContext, actor: Actor, id: string, action: Action): Promise<CampaignView> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const c = await visibleCampaign(trx, actor, id);
    const changed = await apply(trx, c, action, now);
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

async function apply(trx: Executor, c: CampaignTable, action: Action, now: number): Promise<boolean> {
  switch (action) {
    case 'start': {
      if (c.status !== 'draft') {
        if (['scheduled', 'starting', 'running', 'paused', 'completed'].includes(c.status)) return false;
        throw wrongState(action, c.status);
      }
      if (c.template !== null) await resolveUtilityTemplate(trx, c.page_id, JSON.parse(c.template) as CampaignTemplate);
      if (c.schedule_at !== null && c.schedule_at > now)
        return moveCampaign(trx, c.id, ['draft'], 'scheduled', {}, now);
      return beginCampaign(trx, c, now);
    }
    case 'pause':
      if (c.status === 'paused') return false;
      if (c.status !== 'running' && c.status !== 'starting') throw wrongState(action, c.status);
      return moveCampaign(trx, c.id, ['running', 'starting'], 'paused', {}, now);
    case 'resume':
      if (c.status === 'running' || c.status === 'starting') return false;
      if (c.status !== 'paused') throw wrongState(action, c.status);
      return resumeCampaignRow(trx, c.id, now);
    case 'cancel': {
      if (c.status === 'cancelled') return false;
      if (c.status === 'completed') throw wrongState(action, c.status);
      const moved = await moveCampaign(
        trx,
        c.id,
        ['draft', 'scheduled', 'starting', 'running', 'paused'],
        'cancelled',
        { finished_at: now },
        now,
      );
      if (moved) await cancelPendingRecipients(trx, c.id, now);
      return moved;
    }
  }
}
