// Pacing sends to a Page's rate limit. Besides `rate` per window, sends are paced (a tenth of it per tenth of the
// window): a full second's worth granted in one burst would reach Meta bunched with the next second's by network and
// event-loop jitter. Order within one contact is kept upstream: a contact has at most one delivery claimed at a time.
import type { Clock } from '../../lib/time.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { pageSendRatePerSecond } from './send.policy.ts';
import type { SendOutcome } from './send-outcome.ts';

export type SendKind = 'text' | 'media';

// The window is a little longer than Meta's second: our grant and Meta's count are a network hop apart.
export const DEFAULT_WINDOW_MS = 1050;

export interface SendPacerOptions {
  limiter: RateLimiter;
  clock: Clock;
  /** Per-Page sends per window: text 300 and media 10 by default (Meta's), over `windowMs` (default 1050 ms). */
  rates?: { text?: number; media?: number; windowMs?: number };
  /** Called once per send that had to wait (a metric). */
  onWait?: (kind: SendKind) => void;
}

export class SendPacer {
  private readonly windowMs: number;
  private readonly limits: Record<SendKind, number>;

  constructor(private readonly o: SendPacerOptions) {
    this.windowMs = o.rates?.windowMs ?? DEFAULT_WINDOW_MS;
    this.limits = {
      text: o.rates?.text ?? pageSendRatePerSecond('text'),
      media: o.rates?.media ?? pageSendRatePerSecond('media'),
    };
  }

  /**
   * Waits until the Page may send one more of `kind`: null then. Gives the send back to the queue instead (a
   * `requeue` at the time it may go) when the wait would pass `deadline` (a Date.now() value) or `stopping()` holds.
   */
  async admit(pageId: string, kind: SendKind, deadline: number, stopping: () => boolean): Promise<SendOutcome | null> {
    const limit = this.limits[kind];
    const key = `send:${pageId}:${kind}`;
    const burst = Math.max(1, Math.floor(limit / 10));
    for (let waited = false; ; waited = true) {
      let grant = await this.o.limiter.tryAcquire(`${key}:pace`, burst, Math.ceil(this.windowMs / 10));
      if (grant.ok) grant = await this.o.limiter.tryAcquire(key, limit, this.windowMs);
      if (grant.ok) return null;
      if (!waited) this.o.onWait?.(kind);
      const wait = Math.max(1, grant.retryAfterMs);
      if (stopping() || Date.now() + wait > deadline) return { type: 'requeue', at: this.o.clock.now() + wait };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
