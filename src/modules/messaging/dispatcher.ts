// The dispatcher: claims due deliveries with a lease, re-checks the policy, waits for the Page's rate limit, calls
// the Send API and records the outcome, fenced by the attempt number. Outcomes of concurrent sends are committed
// together with the next claim (group commit), so a busy dispatcher pays one transaction per batch, not one per
// message, and claimed deliveries wait in a short queue so that a free slot never waits for a commit.
import type { AppContext } from '../../app/context.ts';
import type { BackgroundWorker } from '../../app/worker.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import { createGraphClient, type GraphClient, type SendMessageBody } from '../../platform/index.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { openContactField } from '../privacy/contact-fields.ts';
import type { Executor } from '../audit/audit.repository.ts';
import { newLeaseOwner, leaseOwnerIsDead } from '../../lib/lease-owner.ts';
import { claimDeliveries, releaseLeases, sendingLeaseOwners } from './outbox.repository.ts';
import { CONSENT_CONFIRMATION_CREATOR, decideFor } from './enqueue-send.ts';
import { findMarketingSubscription, findPages, findSendTargets, type SendTarget } from './send-targets.repository.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { pageSendRatePerSecond } from './send.policy.ts';
import { DEFAULT_RETRY, outcomeOfError, type RetryPolicy, type SendOutcome } from './send-outcome.ts';
import { recordOutcomes, type Attempt } from './record-outcome.ts';
import { messagingMetrics } from './messaging.metrics.ts';

export interface DispatcherOptions {
  /** Send API calls in flight at once (default 16). */
  concurrency?: number;
  /** Deliveries claimed ahead, waiting for a free slot (default: twice `concurrency`, so that a turn commits a batch
   *  of that size while the slots stay busy). */
  prefetch?: number;
  /** Shared limiter (a RedisRateLimiter when several instances run); default: one in this process. */
  limiter?: RateLimiter;
  /** Lease owner name, unique per instance (default: newLeaseOwner(), which a restarted process can recognise). */
  workerId?: string;
  /**
   * How long a claim holds a delivery before another worker may take it over (default 20 s): a send starts within a
   * third of it and the Graph call times out before the rest, so a live worker never outlives its claim.
   */
  leaseMs?: number;
  /** Per-Page sends per window: text 300 and media 10 by default (Meta's), over `windowMs` (default 1050 ms). */
  rates?: { text?: number; media?: number; windowMs?: number };
  /** Graph client (tests); default: META_GRAPH_URL with appsecret_proof when META_APP_SECRET is set. */
  graph?: GraphClient;
  /** Graph timeout (default 8 s, so a stop drains within the 10 s SIGTERM budget). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Pause when nothing is due (default 200 ms). */
  idleMs?: number;
  /** Longest a result waits for its commit while the claimed queue is still full (default 20 ms). */
  commitDelayMs?: number;
  /** Pause after a failed commit (default 1 s). */
  errorMs?: number;
}

// The window is a little longer than Meta's second: our grant and Meta's count are a network hop apart.
const DEFAULT_WINDOW_MS = 1050;

interface Prepared extends Attempt {
  body: SendMessageBody;
  token: string;
  kind: 'text' | 'media';
}

/** A claimed delivery with what its policy re-check needs, read in the claim's transaction. */
interface Claimed {
  delivery: DeliveryTable;
  target: SendTarget | undefined;
  page: PageTable | undefined;
  /** Date.now() after which it goes back to the queue unsent rather than outlive its lease. */
  deadline: number;
}

interface Finished {
  attempt: Attempt;
  outcome: SendOutcome;
}

/**
 * Puts back in the queue at once the deliveries that a dead process of this machine was sending (this process's
 * earlier life, killed mid-send), instead of letting them wait for their leases to expire. As after an expired lease,
 * a send that was in flight at the crash may be repeated. The dispatcher does it when it starts; returns how many.
 */
export async function takeBackSends(ctx: AppContext): Promise<number> {
  const dead = (await sendingLeaseOwners(ctx.db)).filter(leaseOwnerIsDead);
  let n = 0;
  for (const owner of dead) n += await releaseLeases(ctx.db, owner, ctx.clock.now());
  if (n > 0) ctx.logger.warn({ deliveries: n, owners: dead.length }, 'took back sends claimed by a process that stopped');
  return n;
}

/**
 * Starts the outbox dispatcher. Every send is written down (claimed) before it is made; a crash can repeat only the
 * sends in flight at that moment, never one whose result was committed. `stop()` stops claiming, gives back what
 * was claimed but not started, drains the sends in flight and commits their outcomes.
 */
export function startDispatcher(ctx: AppContext, opts: DispatcherOptions = {}): BackgroundWorker {
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const prefetch = Math.max(0, opts.prefetch ?? concurrency * 2);
  const idleMs = opts.idleMs ?? 200;
  const errorMs = opts.errorMs ?? 1000;
  const commitDelayMs = opts.commitDelayMs ?? 20;
  const owner = opts.workerId ?? newLeaseOwner();
  const leaseMs = opts.leaseMs ?? 20_000;
  const limiter = opts.limiter ?? new MemoryRateLimiter();
  const windowMs = opts.rates?.windowMs ?? DEFAULT_WINDOW_MS;
  const rate = (kind: 'text' | 'media') => (kind === 'media' ? opts.rates?.media : opts.rates?.text) ?? pageSendRatePerSecond(kind);
  const retry = opts.retry ?? DEFAULT_RETRY;
  const metrics = messagingMetrics(ctx.metrics.registry);
  const graph =
    opts.graph ??
    createGraphClient({ baseUrl: ctx.config.meta.graphUrl, version: ctx.config.meta.graphVersion, appSecret: ctx.config.meta.appSecret ?? undefined, timeoutMs: opts.timeoutMs ?? 8000 });
  const tokens = new Map<string, { enc: string; token: string }>();
  const ready: Claimed[] = [];
  const sending = new Set<Promise<void>>();
  const finished: Finished[] = [];
  let stopping = false;

  const pageToken = (page: PageTable): string => {
    const cached = tokens.get(page.id);
    if (cached?.enc === page.access_token_enc) return cached.token;
    const token = decryptPageToken(ctx, page);
    tokens.set(page.id, { enc: page.access_token_enc, token });
    return token;
  };

  async function prepare(d: DeliveryTable, target: SendTarget | undefined, page: PageTable | undefined, now: number): Promise<Prepared | SendOutcome> {
    if (!target || !page || target.status === 'erased') return { type: 'skipped', reason: 'erased' };
    if (target.psid_invalid_at !== null) return { type: 'skipped', reason: 'invalid_recipient' };
    const isConfirmation = d.created_by === CONSENT_CONFIRMATION_CREATOR;
    const sub = d.author === 'campaign' ? await findMarketingSubscription(ctx.db, d.contact_id) : undefined;
    const marketingToken = sub ? { status: sub.status, expiresAt: sub.expires_at, lastMarketingSentAt: sub.last_sent_at } : null;
    const decision = decideFor(target, page, { author: d.author, kind: d.kind, isConfirmation, marketingToken }, now);
    if (!decision.allowed) {
      return decision.reason === 'page_unauthorized' || decision.reason === 'page_disabled' ? { type: 'requeue', at: now } : { type: 'skipped', reason: decision.reason };
    }
    const message = JSON.parse(openContactField(ctx, d.contact_id, d.body_enc, { table: 'deliveries', column: 'body_enc', pageId: d.page_id, rowId: d.id })) as Record<string, unknown>;
    message.metadata = d.id;
    const body: SendMessageBody = decision.marketingToken && sub
      ? { recipient: { notification_messages_token: openContactField(ctx, d.contact_id, sub.token_enc, { table: 'marketing_subscriptions', column: 'token_enc', pageId: d.page_id, rowId: sub.id }) }, message }
      : {
          recipient: { id: openContactField(ctx, target.id, target.psid_enc, { table: 'contacts', column: 'psid_enc', pageId: d.page_id, rowId: target.id }) },
          messaging_type: decision.messagingType,
          ...(decision.tag && { tag: decision.tag }),
          message,
        };
    return {
      delivery: d, attempt: d.attempts, body, token: pageToken(page), kind: d.kind === 'media' ? 'media' : 'text',
      labels: { messaging_type: decision.marketingToken ? null : decision.messagingType, tag: decision.tag ?? null },
      marketingSubscriptionId: decision.marketingToken && sub ? sub.id : null,
    };
  }

  // Waits for the Page's rate limit; gives the delivery back to the queue rather than sit on its lease. Besides
  // `rate` per window, sends are paced (a tenth of it per tenth of the window): a full second's worth granted in
  // one burst would reach Meta bunched with the next second's by network and event-loop jitter.
  async function admit(p: Prepared, deadline: number): Promise<SendOutcome | null> {
    const limit = rate(p.kind);
    const key = `send:${p.delivery.page_id}:${p.kind}`;
    const burst = Math.max(1, Math.floor(limit / 10));
    for (let waited = false; ; waited = true) {
      let grant = await limiter.tryAcquire(`${key}:pace`, burst, Math.ceil(windowMs / 10));
      if (grant.ok) grant = await limiter.tryAcquire(key, limit, windowMs);
      if (grant.ok) return null;
      if (!waited) metrics.rateLimitWaits.inc({ kind: p.kind });
      const wait = Math.max(1, grant.retryAfterMs);
      if (stopping || Date.now() + wait > deadline) return { type: 'requeue', at: ctx.clock.now() + wait };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async function send(p: Prepared, deadline: number): Promise<SendOutcome> {
    const held = await admit(p, deadline);
    if (held) return held;
    const started = performance.now();
    try {
      const r = await graph.sendMessage(p.token, p.body);
      metrics.sendSeconds.observe({ outcome: 'sent' }, (performance.now() - started) / 1000);
      return { type: 'sent', mid: r.messageId };
    } catch (err) {
      metrics.sendSeconds.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
      return outcomeOfError(err, p.attempt, ctx.clock.now(), retry);
    }
  }

  // One claimed delivery from claim to outcome: the policy re-check, the rate limit and the Send API call. Never
  // rejects: a failure inside pagescope (decryption, storage) becomes a retry, logged with ids only.
  async function attemptOne(c: Claimed): Promise<Finished> {
    const d = c.delivery;
    let attempt: Attempt = { delivery: d, attempt: d.attempts };
    try {
      if (stopping || Date.now() > c.deadline) return { attempt, outcome: { type: 'requeue', at: ctx.clock.now() } };
      const prepared = await prepare(d, c.target, c.page, ctx.clock.now());
      if ('type' in prepared) return { attempt, outcome: prepared };
      attempt = prepared;
      return { attempt, outcome: await send(prepared, c.deadline) };
    } catch (err) {
      ctx.logger.error({ err, delivery_id: d.id }, 'preparing a send failed');
      return { attempt, outcome: outcomeOfError(err, d.attempts, ctx.clock.now(), retry) };
    }
  }

  // Starts sends from the claimed queue while slots are free. A slot is free again as soon as Meta answers: the
  // outcome waits for the next commit without holding up the next send (it stays leased until then).
  function fill(): void {
    while (sending.size < concurrency && ready.length > 0) {
      const c = ready.shift()!;
      const p: Promise<void> = attemptOne(c)
        .then((f) => {
          if (finished.length === 0) waitingSince = Date.now();
          finished.push(f);
        })
        .finally(() => {
          sending.delete(p);
          nudge();
          fill();
        });
      sending.add(p);
    }
  }

  let nudged: (() => void) | null = null;
  const nudge = () => nudged?.();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => resolve(), ms) : null;
      nudged = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    }).finally(() => (nudged = null));

  // The commit loop. Each turn is one transaction that records every outcome that arrived since the last one and,
  // in the same transaction, claims deliveries for the free room; so a busy dispatcher pays one commit per turn
  // for all of its results and claims. A contact's next delivery becomes claimable in the very transaction that
  // records the previous one's result, and is sent only after that commit: one contact's messages stay in order.
  //
  // A turn's flush to disk runs off the event loop (transactionFlushedLater): the next turn may commit meanwhile,
  // and what a turn claimed is sent only once its commit is on disk. Turns are paced: one is due when the claimed
  // queue (counting claims still being flushed) runs low, or when a result has waited `commitDelayMs`; under load a
  // turn then carries a queue's worth of results instead of a handful.
  let idleUntil = 0;
  let waitingSince = 0;
  const lowWater = Math.floor(concurrency / 4);
  // Committed turns whose flush to disk has not ended, and the deliveries they claimed: not sent before it has.
  let turnsFlushing = 0;
  let flushing = 0;
  const roomFor = () => (stopping ? 0 : concurrency + prefetch - sending.size - ready.length - flushing);
  const dueIn = (): number => {
    const low = ready.length + flushing <= lowWater;
    if (finished.length > 0) return stopping || low ? 0 : Math.max(0, waitingSince + commitDelayMs - Date.now());
    return roomFor() > 0 && low ? Math.max(0, idleUntil - Date.now()) : Infinity;
  };
  const committer = (async () => {
    try {
      await takeBackSends(ctx);
    } catch (err) {
      ctx.logger.error({ err, worker: owner }, 'taking back the sends of a stopped process failed; they wait for their leases to expire');
    }
    for (;;) {
      if (stopping) requeueReady();
      const wait = dueIn();
      if (wait > 0) {
        if (stopping && sending.size === 0 && finished.length === 0 && turnsFlushing === 0) return;
        await pause(wait);
        continue;
      }
      // Let the answers that arrived in this turn of the event loop join the same commit.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = finished.splice(0);
      const room = roomFor();
      // While the queue is exhausted (the last full claim came back short), a turn claims only the next deliveries of
      // the contacts it settles: one index probe each instead of a walk of the queue. The full claim resumes after
      // `idleMs` (new sends, retries falling due, expired leases) or on wake().
      const full = Date.now() >= idleUntil;
      const contacts = full ? [] : [...new Set(batch.map((f) => f.attempt.delivery.contact_id))];
      const claim = room > 0 && (full || contacts.length > 0);
      try {
        const { result: claimed, durable } = await ctx.database.transactionFlushedLater(async (trx) => {
          const now = ctx.clock.now();
          await recordOutcomes(trx, ctx, batch, now);
          return claim ? claimWithContext(trx, now, room, full ? undefined : contacts) : [];
        });
        if (full && claimed.length < room) idleUntil = Date.now() + idleMs;
        // The next turn may commit while this one is flushed; what this one claimed is sent once it is on disk.
        turnsFlushing++;
        flushing += claimed.length;
        void durable
          .then(
            () => void ready.push(...claimed),
            (err: unknown) => {
              // Claimed but maybe not on disk: not sent; their leases expire and they are claimed again.
              ctx.logger.error({ err, worker: owner }, 'flushing a dispatcher turn to disk failed; its claims wait for their leases to expire');
            },
          )
          .finally(() => {
            turnsFlushing--;
            flushing -= claimed.length;
            fill();
            nudge();
          });
      } catch (err) {
        // Nothing of this turn was written: the results' leases expire and those sends are retried (the only
        // repeats there can be), and no delivery was claimed.
        ctx.logger.error({ err, worker: owner }, 'committing send outcomes failed; their leases will expire and they are retried');
        await pause(errorMs);
      }
      fill();
    }
  })();

  async function claimWithContext(trx: Executor, now: number, limit: number, contactIds?: string[]): Promise<Claimed[]> {
    const rows = await claimDeliveries(trx, ctx.database.dialect, { owner, now, leaseMs, limit, ...(contactIds && { contactIds }) });
    if (rows.length === 0) return [];
    const targets = new Map((await findSendTargets(trx, [...new Set(rows.map((d) => d.contact_id))])).map((t) => [t.id, t]));
    const pages = new Map((await findPages(trx, [...new Set(rows.map((d) => d.page_id))])).map((p) => [p.id, p]));
    // Sends start within a third of the lease, so a send never outlives its claim (the Graph timeout is shorter).
    const deadline = Date.now() + leaseMs / 3;
    return rows.map((d) => ({ delivery: d, target: targets.get(d.contact_id), page: pages.get(d.page_id), deadline }));
  }

  // On stop, deliveries claimed but not started go back to the queue as they were.
  function requeueReady(): void {
    const at = ctx.clock.now();
    for (const c of ready.splice(0)) finished.push({ attempt: { delivery: c.delivery, attempt: c.delivery.attempts }, outcome: { type: 'requeue', at } });
  }

  return {
    name: `dispatcher:${owner}`,
    wake: () => {
      idleUntil = 0;
      nudge();
    },
    stop: async () => {
      stopping = true;
      nudge();
      await committer;
    },
  };
}
