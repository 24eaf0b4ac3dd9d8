import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import { findLink, recordClick } from './campaigns.repository.ts';

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
