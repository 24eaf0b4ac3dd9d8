import type { AppContext } from '../../kernel/context.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import { backoffDelay } from '../../platform/index.ts';
import { findPage } from '../pages/pages.repository.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Backoff = Map<string, { until: number; strikes: number }>;

/**
 * Per-Page pacing for the background Graph callers (profile fetches, ids_for_pages): a Page that answered with a rate
 * limit is left alone for a growing while (per app and per caller, so one caller's limit does not stop the other),
 * and a Page that is gone or not active is tried again an hour later. One pacer serves one pass of a caller.
 */
export class PagePacer {
  readonly #pages = new Map<string, PageTable | undefined>();

  private constructor(
    private readonly ctx: AppContext,
    private readonly backoff: Backoff,
    private readonly now: number,
  ) {}

  /** A pacer for one pass; `states` keeps each app's backoff across passes. */
  static forPass(states: WeakMap<AppContext, Backoff>, ctx: AppContext, now: number): PagePacer {
    let backoff = states.get(ctx);
    if (!backoff) states.set(ctx, (backoff = new Map()));
    return new PagePacer(ctx, backoff, now);
  }

  /** The Page when it may be called now; otherwise when to try this Page's contact again. */
  async admit(pageId: string): Promise<{ page: PageTable } | { retryAt: number }> {
    const waiting = this.backoff.get(pageId);
    if (waiting && waiting.until > this.now) return { retryAt: waiting.until };
    if (!this.#pages.has(pageId)) this.#pages.set(pageId, await findPage(this.ctx.db, pageId));
    const page = this.#pages.get(pageId);
    return page && page.status === 'active' ? { page } : { retryAt: this.now + HOUR };
  }

  /** Meta rejected the Page's token: its other contacts wait as for a Page that is not active. */
  tokenInvalid(pageId: string): void {
    const page = this.#pages.get(pageId);
    if (page) this.#pages.set(pageId, { ...page, status: 'token_invalid' });
  }

  succeeded(pageId: string): void {
    this.backoff.delete(pageId);
  }

  /** Records a rate-limit answer from this Page; returns when it may be called again. */
  rateLimited(pageId: string): number {
    const strikes = (this.backoff.get(pageId)?.strikes ?? 0) + 1;
    const until = this.now + MINUTE + backoffDelay(strikes, { baseMs: MINUTE, maxMs: HOUR });
    this.backoff.set(pageId, { until, strikes });
    return until;
  }
}
