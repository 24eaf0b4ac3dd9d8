import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../app/context.ts';
import { errorCode } from '../../errors.ts';
import { truncateWalNow } from '../../db/wal.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';
import { extractEvents, parseEnvelope, type WebhookEvent } from '../../platform/index.ts';
import { applyEvent } from './apply-event.ts';
import { claimBodyHashes, claimDeliveries, finishDelivery, loadLeased, registeredPages } from './webhook.repository.ts';

export interface ProcessOptions {
  /** Deliveries per transaction (default 50). */
  limit?: number;
  /** Lease holder name; defaults to one per process. */
  owner?: string;
  /** How long a claim stays exclusive before another worker may take it over (default 60 s). */
  leaseMs?: number;
}

/** After this many failed attempts a delivery that fails on its own is set aside as `failed` (its raw body stays). */
const MAX_ATTEMPTS = 5;
const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

type Decoded = { row: WebhookDeliveryTable; object: string; events: WebhookEvent[] } | { row: WebhookDeliveryTable; error: string };

function decode(ctx: AppContext, row: WebhookDeliveryTable): Decoded {
  if (row.body_enc === null) return { row, error: 'body_missing' };
  try {
    const raw = ctx.keyring.decrypt(row.body_enc, { table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId: row.id });
    const envelope = parseEnvelope(JSON.parse(raw));
    if (!envelope.ok) return { row, error: `not_envelope:${envelope.reason}` };
    return { row, object: envelope.envelope.object, events: extractEvents(envelope.envelope) };
  } catch {
    return { row, error: 'undecodable' };
  }
}

/** Contexts whose processing dropped raw bodies since their WAL was last emptied. */
const bodiesDropped = new WeakSet<AppContext>();

/**
 * Once processing has caught up, the WAL frames that still hold the dropped raw bodies (written when they were
 * stored) are checkpointed away: a copy of the data dir taken from then on holds no raw body that was processed.
 * When another connection is busy it is tried again at the next pass that finds nothing to do.
 */
async function forgetProcessedBodies(ctx: AppContext): Promise<void> {
  if (bodiesDropped.has(ctx) && (await truncateWalNow(ctx.database))) bodiesDropped.delete(ctx);
}

const timeOf = (ev: WebhookEvent, row: WebhookDeliveryTable) => ev.timestamp ?? row.received_at;

/**
 * Applies a batch of claimed deliveries in ONE transaction: deliveries are marked done first (taking the write lock
 * at once), then every event, sorted by event time, goes through the idempotency ledger. A delivery whose exact bytes
 * arrived before (Meta's retry of a POST we did acknowledge) is marked `duplicate` and applies nothing. A crash
 * anywhere rolls the whole batch back and the lease lets it be claimed again: nothing is lost, nothing is applied twice.
 */
async function applyBatch(ctx: AppContext, batch: Decoded[], owner: string): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const duplicates = await claimBodyHashes(trx, batch.map((d) => d.row), now);
    const live: Extract<Decoded, { events: WebhookEvent[] }>[] = [];
    let duplicated = 0;
    for (const d of batch) {
      const ok = 'events' in d;
      const dup = duplicates.has(d.row.id);
      const status = dup ? 'duplicate' : ok ? 'processed' : 'failed';
      const kept = await finishDelivery(trx, d.row.id, owner, { status, eventCount: dup ? 0 : ok ? d.events.length : null, error: dup || ok ? null : d.error, now });
      if (kept && dup) duplicated++;
      else if (kept && ok) live.push(d);
    }
    const pageIds = [...new Set(live.flatMap((d) => d.events.map((ev) => ev.pageId).filter((p): p is string => typeof p === 'string')))];
    const registered = await registeredPages(trx, pageIds);
    const items = live.flatMap((d) => d.events.map((ev) => ({ ev, d })));
    items.sort((a, b) => timeOf(a.ev, a.d.row) - timeOf(b.ev, b.d.row));
    for (const { ev, d } of items) await applyEvent({ ctx, trx, now, deliveryId: d.row.id }, ev, d.object, registered, d.row.received_at);
    return duplicated;
  });
}

async function applyCounted(ctx: AppContext, batch: Decoded[], owner: string): Promise<void> {
  const duplicated = await applyBatch(ctx, batch, owner);
  if (duplicated > 0) ctx.metrics.webhookDeliveries.inc({ outcome: 'duplicate' }, duplicated);
}

async function failAlone(ctx: AppContext, d: Decoded, owner: string, err: unknown): Promise<void> {
  ctx.logger.error({ err: { name: (err as Error)?.name, code: (err as { code?: unknown })?.code }, delivery_id: d.row.id, attempts: d.row.attempts }, 'webhook delivery failed to process');
  if (d.row.attempts >= MAX_ATTEMPTS) {
    await finishDelivery(ctx.db, d.row.id, owner, { status: 'failed', eventCount: null, error: `processing_failed:${errorCode(err)}`.slice(0, 200), now: ctx.clock.now() });
  }
}

/**
 * One iteration of the processor: claims pending deliveries (oldest first, leased) and applies them; returns how many
 * were claimed. A batch that fails is retried one delivery at a time, so one bad delivery cannot hold up the rest.
 */
export async function processPendingDeliveries(ctx: AppContext, opts: ProcessOptions = {}): Promise<number> {
  const owner = opts.owner ?? PROCESS_OWNER;
  const ids = await claimDeliveries(ctx.db, owner, ctx.clock.now(), opts.leaseMs ?? 60_000, opts.limit ?? 50, ctx.database.dialect === 'postgres');
  if (ids.length === 0) {
    await forgetProcessedBodies(ctx);
    return 0;
  }
  bodiesDropped.add(ctx);
  const batch = (await loadLeased(ctx.db, ids, owner)).map((row) => decode(ctx, row));
  try {
    await applyCounted(ctx, batch, owner);
  } catch (err) {
    if (batch.length === 1) {
      await failAlone(ctx, batch[0]!, owner, err);
      throw err;
    }
    for (const d of batch) {
      try {
        await applyCounted(ctx, [d], owner);
      } catch (e) {
        await failAlone(ctx, d, owner, e);
      }
    }
  }
  return ids.length;
}
