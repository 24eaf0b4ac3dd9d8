// Delivers webhook events as Meta does: signed POSTs, optional batching, duplicates and reordering, immediate
// retries, then backoff on the emulator's clock; after 15 min of failure an alert, after 1 h the app is
// unsubscribed from the Page ("messenger" policy), or events are dropped after 36 h ("graph" policy).
import { envelope, type WebhookEvent } from './events.ts';
import { metaStringify } from './serialise.ts';
import { signBody } from './meta-signatures.ts';
import type { Clock } from './clock.ts';
import { Ring } from './ring.ts';
import { Watchdog } from './watchdog.ts';
import type { Random } from './prng.ts';
import type { DeliveryOptions, WebhookTransport } from './options.ts';

export interface DeliveryRecord {
  id: number;
  kind: 'first' | 'retry' | 'duplicate';
  attempt: number;
  at: number;
  url: string;
  status: number | null;
  ok: boolean;
  latency_ms: number;
  error?: string;
  page_ids: string[];
  entries: number;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryAlert {
  at: number;
  page_id: string;
  kind: 'failing_15_minutes' | 'webhooks_disabled' | 'dropped_after_36_hours';
}

interface Queued {
  event: WebhookEvent;
  done: (records: DeliveryRecord[]) => void;
}

interface Pending {
  body: string;
  headers: Record<string, string>;
  pageIds: string[];
  entries: number;
  attempts: number;
  firstFailedAt: number;
  dueAt: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;
const ONE_HOUR = 60 * 60_000;
const THIRTY_SIX_HOURS = 36 * ONE_HOUR;

export interface DeliveryDeps {
  appSecret: string;
  clock: Clock;
  random: Random;
  transport: WebhookTransport;
  url: () => string | undefined;
  unsubscribe: (pageId: string) => void;
  isSubscribed: (pageId: string) => boolean;
  /** True when the transport itself gives up after timeoutMs (the built-in HTTP one does). */
  enforcesTimeout: boolean;
}

export class WebhookDelivery {
  readonly log: Ring<DeliveryRecord>;
  readonly alerts: DeliveryAlert[] = [];
  private readonly queue: Queued[] = [];
  private held: Queued | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private batchTimer: NodeJS.Timeout | null = null;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private pending: Pending[] = [];
  private readonly failingSince = new Map<string, number>();
  private readonly alerted = new Set<string>();
  private nextId = 1;
  posted = 0;

  constructor(
    private readonly opts: DeliveryOptions,
    private readonly deps: DeliveryDeps,
  ) {
    this.log = new Ring(opts.logLimit);
    this.watchdog = new Watchdog(opts.timeoutMs);
  }

  private readonly watchdog: Watchdog;

  /** Queues events for delivery; resolves with the attempts of the POST(s) that carried them. */
  deliver(events: WebhookEvent[]): Promise<DeliveryRecord[]> {
    if (events.length === 0 || !this.deps.url()) return Promise.resolve([]);
    if (events.length === 1) return new Promise((done) => this.enqueue({ event: events[0]!, done }));
    const promises = events.map((event) => new Promise<DeliveryRecord[]>((done) => this.enqueue({ event, done })));
    return Promise.all(promises).then((lists) => [...new Set(lists.flat())]);
  }

  private enqueue(item: Queued): void {
    if (this.held === null && this.deps.random.chance(this.opts.reorderRate)) {
      this.held = item;
      this.holdTimer = setTimeout(() => this.releaseHeld(), this.opts.reorderHoldMs);
      return;
    }
    this.queue.push(item);
    this.releaseHeld();
  }

  private releaseHeld(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.held) this.queue.push(this.held);
    this.held = null;
    this.schedule();
  }

  private schedule(): void {
    const { batchSize, batchWindowMs } = this.opts;
    if (batchWindowMs > 0 && this.queue.length < batchSize) {
      this.batchTimer ??= setTimeout(() => {
        this.batchTimer = null;
        this.pump();
      }, batchWindowMs);
      return;
    }
    this.pump();
  }

  private pump(): void {
    while (this.active < this.opts.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, Math.max(1, this.opts.batchSize));
      this.active++;
      void this.postBatch(batch).finally(() => {
        this.active--;
        this.pump();
        this.notifyIdle();
      });
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.active === 0 && this.queue.length === 0 && this.held === null && this.batchTimer === null) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Sends everything queued or held now and resolves when no POST is in flight. */
  flush(): Promise<void> {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.releaseHeld();
    this.pump();
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async postBatch(batch: Queued[]): Promise<void> {
    const live: Queued[] = [];
    for (const q of batch) {
      if (this.deps.isSubscribed(q.event.pageId)) live.push(q);
      else q.done([]);
    }
    if (live.length === 0) return;
    const body = metaStringify(
      envelope(
        live.map((q) => q.event),
        this.deps.clock.now(),
      ),
    );
    const headers = { 'content-type': 'application/json', ...signBody(this.deps.appSecret, body) };
    const pageIds = live.length === 1 ? [live[0]!.event.pageId] : [...new Set(live.map((q) => q.event.pageId))];
    const records: DeliveryRecord[] = [];
    let ok = false;
    for (let attempt = 1; attempt <= 1 + this.opts.immediateRetries && !ok; attempt++) {
      const r = await this.attempt(body, headers, pageIds, live.length, attempt === 1 ? 'first' : 'retry', attempt);
      records.push(r);
      ok = r.ok;
    }
    if (ok) {
      this.succeeded(pageIds);
      if (this.deps.random.chance(this.opts.duplicateRate)) {
        records.push(await this.attempt(body, headers, pageIds, live.length, 'duplicate', 1));
      }
    } else {
      const now = this.deps.clock.now();
      for (const id of pageIds) if (!this.failingSince.has(id)) this.failingSince.set(id, now);
      this.pending.push({
        body,
        headers,
        pageIds,
        entries: live.length,
        attempts: records.length,
        firstFailedAt: now,
        dueAt: now + this.delay(0),
      });
      this.checkThresholds(now);
    }
    for (const q of live) q.done(records);
  }

  private delay(n: number): number {
    const d = this.opts.retryDelaysMs;
    return d[Math.min(n, d.length - 1)] ?? 60_000;
  }

  private async attempt(
    body: string,
    headers: Record<string, string>,
    pageIds: string[],
    entries: number,
    kind: DeliveryRecord['kind'],
    attempt: number,
  ): Promise<DeliveryRecord> {
    const url = this.deps.url() ?? '';
    const started = performance.now();
    const record: DeliveryRecord = {
      id: this.nextId++,
      kind,
      attempt,
      at: this.deps.clock.now(),
      url,
      status: null,
      ok: false,
      latency_ms: 0,
      page_ids: pageIds,
      entries,
      headers,
      body,
    };
    try {
      const sent = this.deps.transport({ url, method: 'POST', headers, body, timeoutMs: this.opts.timeoutMs });
      const res = await (this.deps.enforcesTimeout ? sent : this.watchdog.watch(sent));
      record.status = res.status;
      record.ok = res.status === 200;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    record.latency_ms = Math.round((performance.now() - started) * 100) / 100;
    this.posted++;
    this.log.push(record);
    return record;
  }

  private succeeded(pageIds: string[]): void {
    for (const id of pageIds) {
      this.failingSince.delete(id);
      this.alerted.delete(id);
    }
  }

  /** The emulator time at which the next retry is due, if any. */
  nextDueAt(): number | undefined {
    let min: number | undefined;
    for (const p of this.pending) if (min === undefined || p.dueAt < min) min = p.dueAt;
    return min;
  }

  /** Attempts every retry that is due on the emulator's clock. */
  async processDue(): Promise<DeliveryRecord[]> {
    const now = this.deps.clock.now();
    const due = this.pending.filter((p) => p.dueAt <= now);
    this.pending = this.pending.filter((p) => p.dueAt > now);
    const out: DeliveryRecord[] = [];
    for (const p of due) {
      if (!p.pageIds.some((id) => this.deps.isSubscribed(id))) continue;
      p.attempts++;
      const r = await this.attempt(p.body, p.headers, p.pageIds, p.entries, 'retry', p.attempts);
      out.push(r);
      if (r.ok) this.succeeded(p.pageIds);
      else {
        p.dueAt = this.deps.clock.now() + this.delay(p.attempts - 1 - this.opts.immediateRetries);
        this.pending.push(p);
      }
    }
    this.checkThresholds(this.deps.clock.now());
    return out;
  }

  private checkThresholds(now: number): void {
    for (const [pageId, since] of this.failingSince) {
      const failingFor = now - since;
      if (failingFor >= FIFTEEN_MINUTES && !this.alerted.has(pageId)) {
        this.alerted.add(pageId);
        this.alerts.push({ at: now, page_id: pageId, kind: 'failing_15_minutes' });
      }
      if (this.opts.failurePolicy === 'messenger' && failingFor >= ONE_HOUR) {
        this.deps.unsubscribe(pageId);
        this.alerts.push({ at: now, page_id: pageId, kind: 'webhooks_disabled' });
        this.failingSince.delete(pageId);
        this.alerted.delete(pageId);
        this.pending = this.pending.filter((p) => p.pageIds.some((id) => this.deps.isSubscribed(id)));
      }
    }
    if (this.opts.failurePolicy === 'graph') {
      const expired = this.pending.filter((p) => now - p.firstFailedAt >= THIRTY_SIX_HOURS);
      this.pending = this.pending.filter((p) => now - p.firstFailedAt < THIRTY_SIX_HOURS);
      for (const p of expired)
        for (const id of p.pageIds) this.alerts.push({ at: now, page_id: id, kind: 'dropped_after_36_hours' });
    }
  }

  /** Retries not yet delivered. */
  pendingCount(): number {
    return this.pending.length;
  }
}
