import type { AppContext } from '../../kernel/context.ts';
import {
  deleteEarlyMarketingEvents,
  staleEarlyMarketingEvents,
} from '../messaging/marketing-early-events.repository.ts';
import { purgeBodyHashes, purgePostBodies, purgeEventRaw } from './webhook.repository.ts';

const DAY = 24 * 60 * 60 * 1000;

/**
 * How long the hash of each webhook body is kept to recognise Meta's retry of a POST that was answered (a retry
 * repeats the body byte for byte). Messenger retries for an hour at most, other Graph webhooks for 36 hours; past
 * that no retry comes, and the idempotency ledger still skips any event applied before, one by one.
 */
export const BODY_HASH_DAYS = 7;

/**
 * Retention of raw webhook data: bodies of processed deliveries and raw copies of kept events older than
 * `rawRetentionDays` are dropped (the rows stay, as the dedupe ledger), and so are marketing message webhooks kept
 * for a send whose answer never came; the hashes of bodies go after BODY_HASH_DAYS. Deliveries not yet processed are
 * never touched. Returns rows purged in this pass (at most `limit` of each kind).
 */
export async function purgeRawWebhookData(ctx: AppContext, limit = 500): Promise<number> {
  const cutoff = ctx.clock.now() - ctx.config.rawRetentionDays * DAY;
  const early = await staleEarlyMarketingEvents(ctx.db, cutoff, limit);
  return (
    (await purgePostBodies(ctx.db, cutoff, limit)) +
    (await purgeEventRaw(ctx.db, cutoff, limit)) +
    (await deleteEarlyMarketingEvents(ctx.db, early)) +
    (await purgeBodyHashes(ctx.db, ctx.clock.now() - BODY_HASH_DAYS * DAY, limit))
  );
}
