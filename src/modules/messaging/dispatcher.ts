// The dispatcher: claims due deliveries with a lease (claim-sends.ts), re-checks the policy and builds the body
// (prepare-send.ts), waits for the Page's rate limit (send-pacer.ts), calls the Send API (call-send-api.ts) and
// records the outcome, fenced by the attempt number (commit-turn.ts). Outcomes of concurrent sends are committed
// together with the next claim (group commit), so a busy dispatcher pays one transaction per batch, not one per
// message, and claimed deliveries wait in a short queue so that a free slot never waits for a commit. This file is
// the loop that composes those parts: the send slots, the claimed queue and the pacing of turns.
import type { AppContext } from '../../kernel/context.ts';
import type { BackgroundWorker } from '../../kernel/loop.ts';
import { createGraphClient, type GraphClient } from '../../platform/index.ts';
import { newLeaseOwner, leaseOwnerIsDead } from '../../lib/lease-owner.ts';
import { callSendApi, type SendApiCaller } from './call-send-api.ts';
import type { ClaimedSend } from './claim-sends.ts';
import { commitTurn, type FinishedSend } from './commit-turn.ts';
import { messagingMetrics } from './messaging.metrics.ts';
import { releaseLeases, sendingLeaseOwners } from './outbox.repository.ts';
import { PageTokens, prepareSend } from './prepare-send.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts';
import type { Attempt } from './record-outcome.ts';
import { SendPacer, type SendKind } from './send-pacer.ts';
import { DEFAULT_RETRY, outcomeOfError, type RetryPolicy } from './send-outcome.ts';
import { msUntilTurn, type TurnPacing, type TurnState } from './turn-schedule.ts';

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

/**
 * Puts back in the queue at once the deliveries that a dead process of this machine was sending (this process's
 * earlier life, killed mid-send), instead of letting them wait for their leases to expire. As after an expired lease,
 * a send that was in flight at the crash may be repeated. The dispatcher does it when it starts; returns how many.
 */
export async function takeBackSends(ctx: AppContext): Promise<number> {
  const dead = (await sendingLeaseOwners(ctx.db)).filter(leaseOwnerIsDead);
  let n = 0;
  for (const owner of dead) n += await releaseLeases(ctx.db, owner, ctx.clock.now());
  if (n > 0)
    ctx.logger.warn({ deliveries: n, owners: dead.length }, 'took back sends claimed by a process that stopped');
  return n;
}

/** The parts one send goes through, from claim to outcome. */
interface SendParts {
  ctx: AppContext;
  tokens: PageTokens;
  pacer: SendPacer;
  api: SendApiCaller;
  stopping: () => boolean;
}

// One claimed delivery from claim to outcome: the policy re-check, the rate limit and the Send API call. Never
// rejects: a failure inside pagescope (decryption, storage) becomes a retry, logged with ids only.
async function attemptSend(parts: SendParts, c: ClaimedSend): Promise<FinishedSend> {
  const { ctx } = parts;
  const d = c.delivery;
  let attempt: Attempt = { delivery: d, attempt: d.attempts };
  try {
    if (parts.stopping() || Date.now() > c.deadline) {
      return { attempt, outcome: { type: 'requeue', at: ctx.clock.now() } };
    }
    const prepared = await prepareSend(ctx, parts.tokens, c, ctx.clock.now());
    if ('type' in prepared) return { attempt, outcome: prepared };
    attempt = prepared;
    const held = await parts.pacer.admit(d.page_id, prepared.kind, c.deadline, parts.stopping);
    return { attempt, outcome: held ?? (await callSendApi(parts.api, prepared)) };
  } catch (err) {
    ctx.logger.error({ err, delivery_id: d.id }, 'preparing a send failed');
    return { attempt, outcome: outcomeOfError(err, d.attempts, ctx.clock.now(), parts.api.retry) };
  }
}

/** A pause that a nudge ends early (a result arrived, a flush ended, a wake-up, a stop). */
class NudgeablePause {
  private nudged: (() => void) | null = null;

  nudge(): void {
    this.nudged?.();
  }

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => resolve(), ms) : null;
      this.nudged = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.nudged = null));
  }
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
  const owner = opts.workerId ?? newLeaseOwner();
  const leaseMs = opts.leaseMs ?? 20_000;
  const metrics = messagingMetrics(ctx.metrics.registry);
  const { graphUrl: baseUrl, graphVersion: version, appSecret } = ctx.config.meta;
  const timeoutMs = opts.timeoutMs ?? 8000;
  const graph = opts.graph ?? createGraphClient({ baseUrl, version, appSecret: appSecret ?? undefined, timeoutMs });
  const limiter = opts.limiter ?? new MemoryRateLimiter();
  const onWait = (kind: SendKind) => metrics.rateLimitWaits.inc({ kind });
  const parts: SendParts = {
    ctx,
    tokens: new PageTokens(ctx),
    pacer: new SendPacer({ limiter, clock: ctx.clock, ...(opts.rates && { rates: opts.rates }), onWait }),
    api: { graph, clock: ctx.clock, retry: opts.retry ?? DEFAULT_RETRY, metrics },
    stopping: () => stopping,
  };
  const pacing: TurnPacing = { lowWater: Math.floor(concurrency / 4), commitDelayMs: opts.commitDelayMs ?? 20 };
  const ready: ClaimedSend[] = [];
  const sending = new Set<Promise<void>>();
  const finished: FinishedSend[] = [];
  const pause = new NudgeablePause();
  let stopping = false;
  let idleUntil = 0;
  let waitingSince = 0;
  // Committed turns whose flush to disk has not ended, and the deliveries they claimed: not sent before it has.
  let turnsFlushing = 0;
  let flushing = 0;

  // Starts sends from the claimed queue while slots are free. A slot is free again as soon as Meta answers: the
  // outcome waits for the next commit without holding up the next send (it stays leased until then).
  function fill(): void {
    while (sending.size < concurrency && ready.length > 0) {
      const p: Promise<void> = attemptSend(parts, ready.shift()!)
        .then((f) => {
          if (finished.length === 0) waitingSince = Date.now();
          finished.push(f);
        })
        .finally(() => {
          sending.delete(p);
          pause.nudge();
          fill();
        });
      sending.add(p);
    }
  }

  const roomFor = () => (stopping ? 0 : concurrency + prefetch - sending.size - ready.length - flushing);
  const turnState = (): TurnState => ({
    stopping,
    finished: finished.length,
    waitingSince,
    queued: ready.length + flushing,
    room: roomFor(),
    idleUntil,
  });

  // On stop, deliveries claimed but not started go back to the queue as they were.
  function requeueReady(): void {
    const at = ctx.clock.now();
    for (const { delivery } of ready.splice(0)) {
      finished.push({ attempt: { delivery, attempt: delivery.attempts }, outcome: { type: 'requeue', at } });
    }
  }

  // One turn: one transaction that records every outcome that arrived since the last one and, in the same
  // transaction, claims deliveries for the free room; so a busy dispatcher pays one commit per turn for all of its
  // results and claims. Its flush to disk runs off the event loop: the next turn may commit meanwhile, and what a
  // turn claimed is sent only once its commit is on disk.
  async function turn(): Promise<void> {
    const batch = finished.splice(0);
    const room = roomFor();
    // While the queue is exhausted (the last full claim came back short), a turn claims only the next deliveries of
    // the contacts it settles: one index probe each instead of a walk of the queue. The full claim resumes after
    // `idleMs` (new sends, retries falling due, expired leases) or on wake().
    const full = Date.now() >= idleUntil;
    const contactIds = full ? undefined : [...new Set(batch.map((f) => f.attempt.delivery.contact_id))];
    const claim = room > 0 && (full || contactIds!.length > 0) ? { owner, leaseMs, limit: room, contactIds } : null;
    try {
      const { claimed, durable } = await commitTurn(ctx, batch, claim);
      if (full && claimed.length < room) idleUntil = Date.now() + idleMs;
      turnsFlushing++;
      flushing += claimed.length;
      void durable
        .then(
          () => void ready.push(...claimed),
          (err: unknown) => {
            // Claimed but maybe not on disk: not sent; their leases expire and they are claimed again.
            const msg = 'flushing a dispatcher turn to disk failed; its claims wait for their leases to expire';
            ctx.logger.error({ err, worker: owner }, msg);
          },
        )
        .finally(() => {
          turnsFlushing--;
          flushing -= claimed.length;
          fill();
          pause.nudge();
        });
    } catch (err) {
      // Nothing of this turn was written: the results' leases expire and those sends are retried (the only
      // repeats there can be), and no delivery was claimed.
      const msg = 'committing send outcomes failed; their leases will expire and they are retried';
      ctx.logger.error({ err, worker: owner }, msg);
      await pause.wait(errorMs);
    }
  }

  const committer = (async () => {
    try {
      await takeBackSends(ctx);
    } catch (err) {
      const msg = 'taking back the sends of a stopped process failed; they wait for their leases to expire';
      ctx.logger.error({ err, worker: owner }, msg);
    }
    for (;;) {
      if (stopping) requeueReady();
      const wait = msUntilTurn(turnState(), pacing, Date.now());
      if (wait > 0) {
        if (stopping && sending.size === 0 && finished.length === 0 && turnsFlushing === 0) return;
        await pause.wait(wait);
        continue;
      }
      // Let the answers that arrived in this turn of the event loop join the same commit.
      await new Promise((resolve) => setImmediate(resolve));
      await turn();
      fill();
    }
  })();

  return {
    name: `dispatcher:${owner}`,
    wake: () => {
      idleUntil = 0;
      pause.nudge();
    },
    stop: async () => {
      stopping = true;
      pause.nudge();
      await committer;
    },
  };
}
