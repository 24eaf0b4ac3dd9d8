import type { AppContext } from '../../kernel/context.ts';
import {
  deleteEarlyMarketingEvents,
  staleEarlyMarketingEvents,
} from '../messaging/marketing-early-events.repository.ts';
import { purgePostBodies, purgeEventRaw } from './webhook.repository.ts';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Retention of raw webhook data: bodies of processed deliveries and raw copies of kept events older than
 * `rawRetentionDays` are dropped (the rows stay, as the dedupe ledger), and so are marketing message webhooks kept
 * for a send whose answer never came. Deliveries not yet processed are never touched. Returns rows purged in this
 * pass (at most `limit` of each kind).
 */
export async function purgeRawWebhookData(ctx: AppContext, limit = 500): Promise<number> {
  const cutoff = ctx.clock.now() - ctx.config.rawRetentionDays * DAY;
  const early = await staleEarlyMarketingEvents(ctx.db, cutoff, limit);
  return (
    (await purgePostBodies(ctx.db, cutoff, limit)) +
    (await purgeEventRaw(ctx.db, cutoff, limit)) +
    (await deleteEarlyMarketingEvents(ctx.db, early))
  );
}
