// A marketing campaign's message campaign at Meta (`POST act_<AD_ACCOUNT_ID>/message_campaign`): every paid
// Marketing Message names one. Created once, by the sender, before the campaign's first send is queued.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import { marketingAccount } from '../pages/marketing-messages.ts';
import { pageGraphOf } from '../pages/page-graph.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { findPages } from '../messaging/send-targets.repository.ts';
import { findCampaign, setMetaCampaignId } from './campaigns.repository.ts';

/**
 * Makes sure the marketing campaign has its message campaign at Meta; true when the campaign may queue sends now
 * (it has one, or its Page's Marketing Messages are off and the policy will skip every recipient). Meta unreachable
 * or refusing: false, logged with ids only, and tried again on the sender's next turn. Two senders racing may each
 * create one at Meta; the first recorded is the one used.
 */
export async function ensureMetaCampaign(ctx: AppContext, c: CampaignTable): Promise<boolean> {
  if (c.meta_campaign_id) return true;
  const [account, [page]] = await Promise.all([marketingAccount(ctx.db, c.page_id), findPages(ctx.db, [c.page_id])]);
  if (!account || page?.status !== 'active') return true;
  try {
    const { id } = await pageGraphOf(ctx).createMessageCampaign(decryptPageToken(ctx, page), account.adAccountId, {
      name: c.name,
      page_id: c.page_id,
      daily_budget: account.dailyBudget,
    });
    await setMetaCampaignId(ctx.db, c.id, id);
    c.meta_campaign_id = (await findCampaign(ctx.db, c.id, null))?.meta_campaign_id ?? id;
    return true;
  } catch (err) {
    ctx.logger.warn({ err, campaign_id: c.id, page_id: c.page_id }, 'creating the message campaign at Meta failed');
    return false;
  }
}
