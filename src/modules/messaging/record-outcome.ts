import type { Transaction } from 'kysely';
import type { AppContext } from '../../app/context.ts';
import type { DB } from '../../db/types.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { GraphErrorClass } from '../../platform/index.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { setHistoryMids } from './deliveries.repository.ts';
import { messagingMetrics } from './messaging.metrics.ts';
import { settleAttempt, settleSent, type ResultSet } from './outbox.repository.ts';
import type { SendOutcome } from './send-outcome.ts';
import { markMarketingSent, markPsidInvalid, markUnreachable, pausePageForReauth, touchLastOutbounds } from './send-targets.repository.ts';

export interface Attempt {
  delivery: DeliveryTable;
  /** The fencing token: `attempts` as claimed. */
  attempt: number;
  /** The labels the send went out with (the dispatcher re-decides them at send time). */
  labels?: Pick<DeliveryTable, 'messaging_type' | 'tag'>;
  marketingSubscriptionId?: string | null;
}

const dispatcherActor = systemActor('dispatcher');

function errorColumns(e: GraphErrorClass): ResultSet {
  return { error_code: e.stableCode, error_message: e.message, meta_code: e.code ?? null, meta_subcode: e.subcode ?? null };
}

/**
 * Writes one attempt's outcome other than `sent` (sent ones are settled together by `recordOutcomes`), fenced by its
 * attempt number, with its effects on the contact and the Page in the same transaction. Returns false (and changes
 * nothing) when the attempt no longer holds the delivery.
 */
async function recordUnsent(trx: Transaction<DB>, ctx: AppContext, a: Attempt, o: Exclude<SendOutcome, { type: 'sent' }>, now: number): Promise<boolean> {
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
      if (done && (await pausePageForReauth(trx, d.page_id, now))) await announcePause(trx, ctx, d, o.error, now);
      break;
  }
  if (done && o.type !== 'requeue') ctx.metrics.deliveriesByStatus.inc({ status: o.type === 'reauthorize' ? 'paused' : o.type, reason: reasonOf(o) });
  return done;
}

/**
 * Writes the outcomes of a dispatcher's turn inside one transaction: the sent ones (nearly all of them on a busy
 * dispatcher) together, each still fenced by its attempt number, the rest one by one.
 */
export async function recordOutcomes(trx: Transaction<DB>, ctx: AppContext, items: readonly { attempt: Attempt; outcome: SendOutcome }[], now: number): Promise<void> {
  const sent: { a: Attempt; mid: string }[] = [];
  for (const { attempt, outcome } of items) {
    if (outcome.type === 'sent') sent.push({ a: attempt, mid: outcome.mid });
    else await recordUnsent(trx, ctx, attempt, outcome, now);
  }
  if (sent.length === 0) return;
  const settled = await settleSent(trx, ctx.database.dialect, sent.map(({ a, mid }) => ({ id: a.delivery.id, attempt: a.attempt, mid, ...(a.labels && { labels: a.labels }) })), now);
  const done = sent.filter(({ a }) => settled.has(a.delivery.id));
  await setHistoryMids(trx, ctx.database.dialect, done.map(({ a, mid }) => ({ messageId: a.delivery.message_id, mid })));
  await touchLastOutbounds(trx, [...new Set(done.map(({ a }) => a.delivery.contact_id))], now);
  for (const { a } of done) if (a.marketingSubscriptionId) await markMarketingSent(trx, a.marketingSubscriptionId, now);
  if (done.length > 0) ctx.metrics.deliveriesByStatus.inc({ status: 'sent', reason: '' }, done.length);
}

function reasonOf(o: SendOutcome): string {
  if (o.type === 'skipped') return o.reason;
  if (o.type === 'failed' || o.type === 'retry' || o.type === 'reauthorize') return o.error.stableCode;
  return '';
}

async function announcePause(trx: Transaction<DB>, ctx: AppContext, d: DeliveryTable, e: GraphErrorClass, now: number): Promise<void> {
  await appendAudit(trx, dispatcherActor, {
    action: 'page.paused_reauth',
    pageId: d.page_id,
    subjectType: 'page',
    subjectId: d.page_id,
    details: { meta_code: e.code ?? null, meta_subcode: e.subcode ?? null, delivery_id: d.id },
  }, now);
  messagingMetrics(ctx.metrics.registry).pagesPaused.inc();
  ctx.logger.error(
    { page_id: d.page_id, code: 'page_unauthorized', meta_code: e.code, meta_subcode: e.subcode },
    'Meta rejected the Page access token; sends to this Page are paused. Register the Page again with a new token (POST /api/v1/pages or `pagescope pages add`) to resume',
  );
}
