import type { AppContext } from '../../kernel/context.ts';
import { errorCode } from '../../errors.ts';
import { truncateWalNow } from '../../db/wal.ts';
import { webhookBodyField, type WebhookPostTable } from '../../db/tables/conversations.ts';
import { envelopeTime, extractEvents, parseEnvelope, type WebhookEvent } from '../../platform/index.ts';
import { destroyDrainedIntakeKeys, openIntakeBody } from '../privacy/intake-keys.ts';
import { applyEvent } from './apply-event.ts';
import { lockMarketingTracking } from '../messaging/marketing-early-events.repository.ts';
import { gatheringInserts } from '../../db/gathered-inserts.ts';
import { timeOrderedKey } from '../../lib/time-ordered-key.ts';
import { newLeaseOwner, leaseOwnerIsDead } from '../../lib/lease-owner.ts';
import {
  claimBodyHashes,
  claimPosts,
  postLeaseOwners,
  finishPost,
  finishProcessedPosts,
  loadLeased,
  registeredPages,
  releasePostLeases,
  renewPostLeases,
} from './webhook.repository.ts';

export interface ProcessOptions {
  /** Deliveries per transaction (default 50). */
  limit?: number;
  /** Lease holder name; defaults to one per process. */
  owner?: string;
  /**
   * How long a claim stays exclusive before another worker may take it over (default 15 s); renewed while a batch
   * is being applied, so only a worker that stopped loses it.
   */
  leaseMs?: number;
  /**
   * How long one processing transaction may apply events before it commits (default 10 ms, see TURN_MS). Where the
   * processor has a thread of its own (serve's processing thread, the worker role), longer turns commit less often.
   */
  turnMs?: number;
}

/** After this many failed attempts a delivery that fails on its own is set aside as `failed` (its raw body stays). */
const MAX_ATTEMPTS = 5;
const PROCESS_OWNER = newLeaseOwner();
const LEASE_MS = 15_000;

/** A claimed delivery, read: its events, or why it has none. `sentAt`: the time its body gives (its first entry's). */
type Decoded =
  | { row: WebhookPostTable; object: string; events: WebhookEvent[]; sentAt: number | null }
  | { row: WebhookPostTable; error: string; sentAt: null };

function decode(ctx: AppContext, row: WebhookPostTable): Decoded {
  if (row.body_enc === null) return { row, error: 'body_missing', sentAt: null };
  try {
    const field = webhookBodyField(row.id);
    const raw = openIntakeBody(ctx, row.body_enc, field).toString('utf8');
    const envelope = parseEnvelope(JSON.parse(raw));
    if (!envelope.ok) return { row, error: `not_envelope:${envelope.reason}`, sentAt: null };
    return {
      row,
      object: envelope.envelope.object,
      events: extractEvents(envelope.envelope),
      sentAt: envelopeTime(envelope.envelope),
    };
  } catch {
    return { row, error: 'undecodable', sentAt: null };
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

const timeOf = (ev: WebhookEvent, row: WebhookPostTable) => ev.timestamp ?? row.received_at;

/**
 * How long one processing transaction may apply events before it commits and lets the event loop run: the processor
 * shares its thread with the HTTP server, and a delivery of a thousand first messages (a new contact, its key and its
 * history each) would otherwise hold acknowledgements, the API and /healthz for seconds.
 */
const TURN_MS = 10;

type Live = Extract<Decoded, { events: WebhookEvent[] }>;

/**
 * For a while after another writer of the process had to wait for a turn (someone is working in the inbox, say),
 * turns are no longer than YIELDED_TURN_MS: the next writer then waits for the commit of a short turn, not of a long
 * one, and processing still commits seldom enough to keep most of its pace.
 */
const SHORT_TURNS_AFTER_YIELD_MS = 2000;
const YIELDED_TURN_MS = 50;
const yieldedAt = new WeakMap<AppContext, number>();
const turnLength = (ctx: AppContext, turnMs: number) =>
  performance.now() - (yieldedAt.get(ctx) ?? -Infinity) < SHORT_TURNS_AFTER_YIELD_MS
    ? Math.min(turnMs, YIELDED_TURN_MS)
    : turnMs;

const settlesMarketingSend = (ev: WebhookEvent) => ev.kind === 'marketing_message' && ev.status !== 'echo';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Applies a batch of claimed deliveries in turns of at most `turnMs` of work, each its own transaction, with the event
 * loop free in between. On SQLite a turn also ends as soon as another writer of this process waits for the lock, and
 * that writer goes first (see WriteLockWaiters): long turns hold nobody up for more than an event. The first turn
 * sets duplicates and undecodable deliveries aside (a delivery whose exact bytes
 * arrived before, Meta's retry of a POST we did acknowledge, applies nothing); then every event, sorted by event time,
 * goes through the idempotency ledger; the last turn marks the deliveries processed. A crash between turns leaves the
 * deliveries pending and leased: claimed again, the events already applied are found in the ledger and skipped, so
 * nothing is lost and nothing is applied twice.
 */
async function applyBatch(
  ctx: AppContext,
  batch: Decoded[],
  owner: string,
  leaseMs: number,
  turnMs: number,
): Promise<number> {
  let live: Live[] = [];
  let items: { ev: WebhookEvent; d: Live }[] = [];
  let registered: ReadonlySet<string> = new Set();
  let duplicated = 0;
  let next = 0;
  const keys = ctx.contactKeys;
  let durable: Promise<void> = Promise.resolve();
  let renewedAt = performance.now();
  // A marketing delivery or failure may have to wait for a dispatcher's commit of its tracking id: each turn takes
  // that lock first, holding no row yet, as the dispatcher does (see lockMarketingTracking), so neither waits on the
  // other while holding what the other needs.
  const marketing = batch.some((d) => 'events' in d && d.events.some(settlesMarketingSend));
  // SQLite: another writer waiting for the lock, of this process or another, ends the turn (see WriteLockWaiters).
  const waiters = ctx.database.lockWaiters;
  const othersWait = () => waiters !== null && (waiters.waiting > 0 || waiters.waitingElsewhere());
  for (let turn = 0; turn === 0 || next < items.length; turn++) {
    // The next turn waits for this one's flush: a commit that writes into the log while the disk flushes it can
    // block the thread until the flush ends (a page under writeback is not written to).
    if (turn > 0) await Promise.all([nextTurn(), durable]);
    // Whoever waited for the lock takes it before the next turn does.
    if (othersWait()) {
      await waiters!.yieldTo();
      yieldedAt.set(ctx, performance.now());
    }
    ({ durable } = await ctx.database.transactionFlushedLater((trx) =>
      gatheringInserts(trx, () =>
        keys.deferringSync(async (deferral) => {
          if (marketing) await lockMarketingTracking(trx, ctx.database.dialect);
          const now = ctx.clock.now();
          const until = performance.now() + turnLength(ctx, turnMs);
          if (performance.now() - renewedAt > leaseMs / 3) {
            await renewPostLeases(
              trx,
              live.map((d) => d.row.id),
              owner,
              now + leaseMs,
            );
            renewedAt = performance.now();
          }
          if (turn === 0) {
            // A body's hash led by the time in the body (its retry repeats it): the index of hashes grows at its end.
            const duplicates = await claimBodyHashes(
              trx,
              batch.map((d) => ({ id: d.row.id, body_hash: timeOrderedKey(d.sentAt, d.row.body_hash) })),
              now,
            );
            for (const d of batch) {
              const dup = duplicates.has(d.row.id);
              if (!dup && 'events' in d) {
                live.push(d);
                continue;
              }
              const kept = await finishPost(trx, d.row.id, owner, {
                status: dup ? 'duplicate' : 'failed',
                eventCount: dup ? 0 : null,
                error: dup || !('error' in d) ? null : d.error,
                now,
              });
              if (kept && dup) duplicated++;
            }
            const pageIds = [
              ...new Set(
                live.flatMap((d) => d.events.map((ev) => ev.pageId).filter((p): p is string => typeof p === 'string')),
              ),
            ];
            registered = await registeredPages(trx, pageIds);
            items = live.flatMap((d) => d.events.map((ev) => ({ ev, d })));
            items.sort((a, b) => timeOf(a.ev, a.d.row) - timeOf(b.ev, b.d.row));
          }
          // Every turn but the first (which may have spent its time setting the batch up) applies at least one event.
          for (
            let applied = 0;
            next < items.length && ((applied === 0 && turn > 0) || (performance.now() < until && !othersWait()));
            applied++, next++
          ) {
            const { ev, d } = items[next]!;
            await applyEvent(
              { ctx, trx, now, postId: d.row.id, keys: deferral },
              ev,
              d.object,
              registered,
              d.row.received_at,
            );
          }
          if (next < items.length) return;
          await finishProcessedPosts(
            trx,
            live.map((d) => ({ id: d.row.id, eventCount: d.events.length })),
            owner,
            now,
          );
          live = [];
        }),
      ),
    ));
  }
  // Turns commit without waiting for the disk (the log is one file, in order): the last one's flush covers them all.
  await durable;
  return duplicated;
}

async function applyCounted(
  ctx: AppContext,
  batch: Decoded[],
  owner: string,
  leaseMs: number,
  turnMs: number,
): Promise<void> {
  const duplicated = await applyBatch(ctx, batch, owner, leaseMs, turnMs);
  if (duplicated > 0) ctx.metrics.webhookPosts.inc({ outcome: 'duplicate' }, duplicated);
}

async function failAlone(ctx: AppContext, d: Decoded, owner: string, err: unknown): Promise<void> {
  ctx.logger.error(
    {
      err: { name: (err as Error)?.name, code: (err as { code?: unknown })?.code },
      post_id: d.row.id,
      attempts: d.row.attempts,
    },
    'webhook delivery failed to process',
  );
  if (d.row.attempts >= MAX_ATTEMPTS) {
    await finishPost(ctx.db, d.row.id, owner, {
      status: 'failed',
      eventCount: null,
      error: `processing_failed:${errorCode(err)}`.slice(0, 200),
      now: ctx.clock.now(),
    });
  }
}

const tookBack = new WeakSet<AppContext>();

/**
 * Frees at once the deliveries that a dead process of this machine had claimed (this process's earlier life, killed
 * before it finished them), instead of letting them wait for their leases to expire. The processor does it at its
 * first iteration; returns how many it freed.
 */
export async function takeBackPosts(ctx: AppContext): Promise<number> {
  const dead = (await postLeaseOwners(ctx.db)).filter(leaseOwnerIsDead);
  const n = await releasePostLeases(ctx.db, dead);
  if (n > 0)
    ctx.logger.warn(
      { deliveries: n, owners: dead.length },
      'took back webhook deliveries claimed by a process that stopped',
    );
  return n;
}

/**
 * One iteration of the processor: claims pending deliveries (oldest first, leased) and applies them; returns how many
 * were claimed. A batch that fails is retried one delivery at a time, so one bad delivery cannot hold up the rest.
 */
export async function processPendingPosts(ctx: AppContext, opts: ProcessOptions = {}): Promise<number> {
  const owner = opts.owner ?? PROCESS_OWNER;
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const turnMs = opts.turnMs ?? TURN_MS;
  if (!tookBack.has(ctx)) {
    tookBack.add(ctx);
    await takeBackPosts(ctx);
  }
  // The claim need not wait for the disk (a claim lost in a crash only means the delivery is claimed again), and on
  // SQLite an fsync on this thread would hold the HTTP server meanwhile.
  const { result: ids } = await ctx.database.transactionFlushedLater((trx) =>
    claimPosts(trx, owner, ctx.clock.now(), leaseMs, opts.limit ?? 50, ctx.database.dialect === 'postgres'),
  );
  if (ids.length === 0) {
    await destroyDrainedIntakeKeys(ctx);
    await forgetProcessedBodies(ctx);
    return 0;
  }
  bodiesDropped.add(ctx);
  const batch = (await loadLeased(ctx.db, ids, owner)).map((row) => decode(ctx, row));
  // Decoding a large delivery is work of its own: the event loop runs before the first turn.
  await nextTurn();
  try {
    await applyCounted(ctx, batch, owner, leaseMs, turnMs);
  } catch (err) {
    if (batch.length === 1) {
      await failAlone(ctx, batch[0]!, owner, err);
      throw err;
    }
    for (const d of batch) {
      try {
        await applyCounted(ctx, [d], owner, leaseMs, turnMs);
      } catch (e) {
        await failAlone(ctx, d, owner, e);
      }
    }
  }
  return ids.length;
}
