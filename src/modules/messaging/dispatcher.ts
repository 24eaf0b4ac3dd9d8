// The dispatcher: claims due deliveries with a lease, re-checks the policy, waits for the Page's rate limit, calls
// the Send API and records the outcome, fenced by the attempt number. Outcomes of concurrent sends are committed
// together (group commit), so a busy dispatcher pays one transaction per batch, not one per message.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../../app/context.ts';
import { startLoop, type BackgroundWorker } from '../../app/worker.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import { createGraphClient, type GraphClient, type SendMessageBody } from '../../platform/index.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { openContactField } from '../privacy/contact-fields.ts';
import { claimDeliveries } from './outbox.repository.ts';
import { CONSENT_CONFIRMATION_CREATOR, decideFor } from './enqueue-send.ts';
import { findMarketingSubscription, findPages, findSendTargets, type SendTarget } from './send-targets.repository.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { pageSendRatePerSecond } from './send.policy.ts';
import { DEFAULT_RETRY, outcomeOfError, type RetryPolicy, type SendOutcome } from './send-outcome.ts';
import { recordOutcome, type Attempt } from './record-outcome.ts';
import { messagingMetrics } from './messaging.metrics.ts';

export interface DispatcherOptions {
  /** Sends in flight at once (default 16). */
  concurrency?: number;
  /** Shared limiter (a RedisRateLimiter when several instances run); default: one in this process. */
  limiter?: RateLimiter;
  /** Lease owner name, unique per instance (default host:pid:random). */
  workerId?: string;
  /** How long a claim holds a delivery before another worker may take it over (default 60 s). */
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
}

// The window is a little longer than Meta's second: our grant and Meta's count are a network hop apart.
const DEFAULT_WINDOW_MS = 1050;

interface Prepared extends Attempt {
  body: SendMessageBody;
  token: string;
  kind: 'text' | 'media';
}

/**
 * Starts the outbox dispatcher. Every send is written down before it is made; a crash can repeat only the sends in
 * flight at that moment, never one whose result was committed. `stop()` stops claiming, drains in-flight sends
 * and commits their outcomes.
 */
export function startDispatcher(ctx: AppContext, opts: DispatcherOptions = {}): BackgroundWorker {
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const owner = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? 60_000;
  const limiter = opts.limiter ?? new MemoryRateLimiter();
  const windowMs = opts.rates?.windowMs ?? DEFAULT_WINDOW_MS;
  const rate = (kind: 'text' | 'media') => (kind === 'media' ? opts.rates?.media : opts.rates?.text) ?? pageSendRatePerSecond(kind);
  const retry = opts.retry ?? DEFAULT_RETRY;
  const metrics = messagingMetrics(ctx.metrics.registry);
  const graph =
    opts.graph ??
    createGraphClient({ baseUrl: ctx.config.meta.graphUrl, version: ctx.config.meta.graphVersion, appSecret: ctx.config.meta.appSecret ?? undefined, timeoutMs: opts.timeoutMs ?? 8000 });
  const tokens = new Map<string, { enc: string; token: string }>();
  const inFlight = new Set<Promise<void>>();
  const results = new GroupCommit(ctx);
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
  async function admit(p: Prepared): Promise<SendOutcome | null> {
    const deadline = Date.now() + leaseMs / 3;
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

  async function send(p: Prepared): Promise<SendOutcome> {
    const held = await admit(p);
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

  async function run(d: DeliveryTable, target: SendTarget | undefined, page: PageTable | undefined): Promise<void> {
    let attempt: Attempt = { delivery: d, attempt: d.attempts };
    let outcome: SendOutcome;
    try {
      const prepared = await prepare(d, target, page, ctx.clock.now());
      if ('type' in prepared) outcome = prepared;
      else {
        attempt = prepared;
        outcome = await send(prepared);
      }
    } catch (err) {
      // Not a Graph answer: a decryption or storage failure. Log it (ids only) and try again later.
      ctx.logger.error({ err, delivery_id: d.id }, 'preparing a send failed');
      outcome = outcomeOfError(err, d.attempts, ctx.clock.now(), retry);
    }
    await results.commit(attempt, outcome);
  }

  function spawn(d: DeliveryTable, target: SendTarget | undefined, page: PageTable | undefined): void {
    const p: Promise<void> = run(d, target, page)
      .catch((err: unknown) => ctx.logger.error({ err, delivery_id: d.id }, 'recording a send outcome failed; the lease will expire and it is retried'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  const loop = startLoop({ name: `dispatcher:${owner}`, logger: ctx.logger, idleMs: opts.idleMs ?? 200 }, async () => {
    // Claim in batches: wait until at least half the slots are free, so claims are not one transaction per send.
    if (inFlight.size > concurrency / 2) {
      await Promise.race(inFlight);
      return 1;
    }
    const now = ctx.clock.now();
    const batch = await claimDeliveries(ctx.db, ctx.database.dialect, { owner, now, leaseMs, limit: concurrency - inFlight.size });
    if (batch.length === 0) {
      if (inFlight.size === 0) return 0;
      await Promise.race(inFlight);
      return 1;
    }
    const targets = new Map((await findSendTargets(ctx.db, [...new Set(batch.map((d) => d.contact_id))])).map((t) => [t.id, t]));
    const pages = new Map((await findPages(ctx.db, [...new Set(batch.map((d) => d.page_id))])).map((p) => [p.id, p]));
    for (const d of batch) spawn(d, targets.get(d.contact_id), pages.get(d.page_id));
    return batch.length;
  });

  return {
    name: loop.name,
    wake: () => loop.wake(),
    stop: async () => {
      stopping = true;
      await loop.stop();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Commits outcomes that arrive while a commit is running together, in the next single transaction. */
class GroupCommit {
  private pending: { attempt: Attempt; outcome: SendOutcome; done: (err?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly ctx: AppContext) {}

  commit(attempt: Attempt, outcome: SendOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ attempt, outcome, done: (err) => (err === undefined ? resolve() : reject(err)) });
      // Wait for the rest of this turn of the event loop: answers that arrived together commit together.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const now = this.ctx.clock.now();
        await this.ctx.db.transaction().execute(async (trx) => {
          for (const r of batch) await recordOutcome(trx, this.ctx, r.attempt, r.outcome, now);
        });
        for (const r of batch) r.done();
      } catch (err) {
        for (const r of batch) r.done(err);
      }
      if (this.pending.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.running = false;
  }
}
