import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import type { Executor } from '../../db/types.ts';
import { readCampaignPayload } from './campaign-payload.ts';
import { findLink, recordClick, recordRecipientClick } from './campaigns.repository.ts';

/**
 * Follows a tracked link of a campaign message: the target URL for a 302, and the recipient's click recorded once
 * (their first click on any link of the campaign counts; following it again changes nothing). An unknown token is
 * a 404. Public: the token, 128 random bits given to one recipient, is the only credential.
 */
export async function followTrackedLink(ctx: AppContext, token: string): Promise<string> {
  if (!/^[A-Za-z0-9_-]{22}$/.test(token)) throw notFound('link');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const link = await findLink(trx, token);
    if (!link) throw notFound('link');
    await recordClick(trx, link, now);
    return link.url;
  });
}

/**
 * A payload pressed by a person (a postback button or a quick reply): when it carries a campaign, the press counts
 * as that recipient's click of the campaign, once (a person who is not its recipient counts for nothing), in the
 * caller's transaction. Returns the payload as the campaign's author wrote it, for whatever reads it next.
 */
export async function campaignPayloadPressed(
  db: Executor,
  contactId: string,
  payload: string,
  at: number,
): Promise<string> {
  const marked = readCampaignPayload(payload);
  if (!marked) return payload;
  await recordRecipientClick(db, marked.campaignId, contactId, at);
  return marked.payload;
}
