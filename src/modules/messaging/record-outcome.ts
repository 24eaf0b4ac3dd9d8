import type { Transaction } from 'kysely';
import { recordDeliveryChanges } from '../conversations/conversation-activity.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { GraphErrorClass } from '../../platform/index.ts';
import { markPageTokenInvalid } from '../pages/mark-token-invalid.ts';
import { setHistoryMids, settleMarketingDelivery } from './deliveries.repository.ts';
import { lockMarketingTracking, takeEarlyMarketingEvents } from './marketing-early-events.repository.ts';
import { settleAttempt, settleSent, type ResultSet } from './outbox.repository.ts';
import type { SendOutcome } from './send-outcome.ts';
import { markMarketingSent, markPsidInvalid, markUnreachable, touchLastOutbounds } from './send-targets.repository.ts';

export interface Attempt {
  delivery: DeliveryTable;
  /** The fencing token: `attempts` as claimed. */
  attempt: number;
  /** The labels the send went out with (the dispatcher re-decides them at send time). */
  labels?: Pick<DeliveryTable, 'messaging_type' | 'tag'>;
  marketingSubscriptionId?: string | null;
}

function errorColumns(e: GraphErrorClass): ResultSet {
  return {
    error_code: e.stableCode,
    error_message: e.message,
    meta_code: e.code ?? null,
    meta_subcode: e.subcode ?? null,
  };
}

/**
 * Writes one attempt's outcome other than `sent` (sent ones are settled together by `recordOutcomes`), fenced by its
 * attempt number, with its effects on the contact and the Page in the same transaction. Returns false (and changes
 * nothing) when the attempt no longer holds the delivery.
 */
async function recordUnsent(
  trx: Transaction<DB>,
  ctx: AppContext,
  a: Attempt,
  o: Exclude<SendOutcome, { type: 'sent' }>,
  now: number,
): Promise<boolean> {
  const { delivery: d } = a;
  const settle = (set: ResultSet) => settleAttempt(trx, d.id, a.attempt, set, now);
  let done: boolean;
  switch (o.type) {
    case 'retry':
      done = await settle({ status: 'queued', next_attempt_at: o.at, ...errorColumns(o.error) });
      break;
    case 'requeue':
      done = await settle({ status: 'queued', next_attempt_at: o.at });
      break;
    case 'skipped':
      done = await settle({ status: 'skipped', reason: o.reason });
      break;
    case 'failed':
      done = await settle({ status: 'failed', reason: o.error.stableCode, ...errorColumns(o.error) });
      if (done && o.contactEffect === 'unreachable') await markUnreachable(trx, d.contact_id, o.error.stableCode, now);
      if (done && o.contactEffect === 'psid_invalid') await markPsidInvalid(trx, d.contact_id, now);
      break;
    case 'reauthorize':
      // The message is fine; the Page's token is not. It waits in the queue until the Page is registered again.
      done = await settle({ status: 'queued', next_attempt_at: now, ...errorColumns(o.error) });
      if (done) await markPageTokenInvalid(trx, ctx, d.page_id, 'send', o.error, { delivery_id: d.id });
      break;
  }
  if (done && o.type !== 'requeue')
    ctx.metrics.deliveriesByStatus.inc({ status: o.type === 'reauthorize' ? 'paused' : o.type, reason: reasonOf(o) });
  return done;
}

/**
 * Writes the outcomes of a dispatcher's turn inside one transaction: the sent ones (nearly all of them on a busy
 * dispatcher) together, each still fenced by its attempt number, the rest one by one.
 */
export async function recordOutcomes(
  trx: Transaction<DB>,
  ctx: AppContext,
  items: readonly { attempt: Attempt; outcome: SendOutcome }[],
  now: number,
): Promise<void> {
  const sent: { a: Attempt; mid: string }[] = [];
  const changed: { pageId: string; contactId: string; deliveryId: string }[] = [];
  // Before any row lock (see lockMarketingTracking): a marketing webhook that came before this commit is then
  // either kept as an early event, found below, or processed after it and finds the send.
  const marketing = items.some(({ attempt, outcome }) => outcome.type === 'sent' && attempt.marketingSubscriptionId);
  if (marketing) await lockMarketingTracking(trx, ctx.database.dialect);
  const change = (a: Attempt) =>
    changed.push({ pageId: a.delivery.page_id, contactId: a.delivery.contact_id, deliveryId: a.delivery.id });
  for (const { attempt, outcome } of items) {
    if (outcome.type === 'sent') sent.push({ a: attempt, mid: outcome.mid });
    else if ((await recordUnsent(trx, ctx, attempt, outcome, now)) && outcome.type !== 'requeue') change(attempt);
  }
  if (sent.length === 0) return recordDeliveryChanges(trx, ctx, changed);
  const settled = await settleSent(
    trx,
    ctx.database.dialect,
    sent.map(({ a, mid }) => ({ id: a.delivery.id, attempt: a.attempt, mid, ...(a.labels && { labels: a.labels }) })),
    now,
  );
  const done = sent.filter(({ a }) => settled.has(a.delivery.id));
  await setHistoryMids(
    trx,
    ctx.database.dialect,
    done.map(({ a, mid }) => ({ messageId: a.delivery.message_id, mid })),
  );
  await touchLastOutbounds(trx, [...new Set(done.map(({ a }) => a.delivery.contact_id))], now);
  for (const { a } of done) if (a.marketingSubscriptionId) await markMarketingSent(trx, a.marketingSubscriptionId, now);
  if (marketing)
    await applyEarlyMarketingEvents(
      trx,
      done.filter(({ a }) => a.marketingSubscriptionId),
    );
  if (done.length > 0) ctx.metrics.deliveriesByStatus.inc({ status: 'sent', reason: '' }, done.length);
  for (const { a } of done) change(a);
  await recordDeliveryChanges(trx, ctx, changed);
}

/** Applies the delivery and failure webhooks that came before these sends' tracking ids were recorded. */
async function applyEarlyMarketingEvents(
  trx: Transaction<DB>,
  done: readonly { a: Attempt; mid: string }[],
): Promise<void> {
  const early = await takeEarlyMarketingEvents(
    trx,
    done.map(({ a, mid }) => ({ contactId: a.delivery.contact_id, trackingId: mid })),
  );
  for (const ev of early)
    await settleMarketingDelivery(
      trx,
      ev.contact_id,
      ev.tracking_id,
      ev.status,
      ev.occurred_at,
      ev.error_message ?? undefined,
    );
}

function reasonOf(o: SendOutcome): string {
  if (o.type === 'skipped') return o.reason;
  if (o.type === 'failed' || o.type === 'retry' || o.type === 'reauthorize') return o.error.stableCode;
  return '';
}
