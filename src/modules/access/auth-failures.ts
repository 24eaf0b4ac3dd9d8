import type { AppContext } from '../../kernel/context.ts';
import type { AuthFailureTable } from '../../db/tables/foundation.ts';
import { AppError, errorCode } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { addAuthFailures } from './auth-failures.repository.ts';

export type FailureKind = AuthFailureTable['kind'];

const MINUTE_MS = 60_000;
// Past this many distinct counters a flush starts at once, so a flood from many addresses stays bounded in memory.
const MAX_PENDING = 5_000;
const MAX_SOURCES = 50_000;

/**
 * Failed authentications, counted in memory per (kind, source, minute, reason) and written as one row each by
 * `flush` (every few seconds and on close), so a flood of bad requests costs no write per request. The same counts
 * tell when one source has failed too often this minute: it is answered 429 until the minute ends.
 */
export class AuthFailureLedger {
  private pending = new Map<string, AuthFailureTable>();
  private perSource = new Map<string, { minute: number; n: number }>();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: AppContext) {}

  /** Counts one failure; says whether the source is now over its limit, and for how many seconds it stays so. */
  record(kind: FailureKind, source: string, reason: string): { limited: boolean; retryAfterSeconds: number } {
    const now = this.ctx.clock.now();
    const minute = now - (now % MINUTE_MS);
    const key = `${kind}\u0000${source}\u0000${minute}\u0000${reason}`;
    const row = this.pending.get(key);
    if (row) {
      row.failures++;
      row.last_at = now;
    } else {
      this.pending.set(key, { id: newId('af', now), kind, source, reason, minute, failures: 1, last_at: now });
      if (this.pending.size >= MAX_PENDING) void this.flush();
    }
    const sourceKey = `${kind}\u0000${source}`;
    let seen = this.perSource.get(sourceKey);
    if (!seen || seen.minute !== minute) {
      if (this.perSource.size >= MAX_SOURCES) this.forgetBefore(minute);
      seen = { minute, n: 0 };
      this.perSource.set(sourceKey, seen);
    }
    seen.n++;
    const limit = this.ctx.config.authFailureLimit;
    return {
      limited: limit > 0 && seen.n > limit,
      retryAfterSeconds: Math.max(1, Math.ceil((minute + MINUTE_MS - now) / 1000)),
    };
  }

  /**
   * Seconds until the source may try again when it has already failed too often this minute, else 0: checked before
   * a password is verified, so an address over its limit gets no more guesses.
   */
  retryAfter(kind: FailureKind, source: string): number {
    const now = this.ctx.clock.now();
    const minute = now - (now % MINUTE_MS);
    const seen = this.perSource.get(`${kind}\u0000${source}`);
    const limit = this.ctx.config.authFailureLimit;
    if (!seen || seen.minute !== minute || limit === 0 || seen.n < limit) return 0;
    return Math.max(1, Math.ceil((minute + MINUTE_MS - now) / 1000));
  }

  /** Writes what was counted since the last flush, one transaction; what fails to write is kept for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const rows = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.ctx.db.transaction().execute((trx) => addAuthFailures(trx, rows));
      } catch (err) {
        this.ctx.logger.warn(
          { code: errorCode(err), rows: rows.length },
          'failed authentications could not be counted; retrying with the next flush',
        );
        for (const r of rows) {
          const key = `${r.kind}\u0000${r.source}\u0000${r.minute}\u0000${r.reason}`;
          const later = this.pending.get(key);
          this.pending.set(key, later ? { ...later, failures: later.failures + r.failures } : r);
        }
      }
    });
    return this.flushing;
  }

  /** Flushes every `everyMs` until `close`. */
  start(everyMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private forgetBefore(minute: number): void {
    for (const [k, v] of this.perSource) if (v.minute < minute) this.perSource.delete(k);
  }
}

const ledgers = new WeakMap<AppContext, AuthFailureLedger>();

/** The app's ledger of failed authentications (one per app context). */
export function authFailures(ctx: AppContext): AuthFailureLedger {
  let l = ledgers.get(ctx);
  if (!l) ledgers.set(ctx, (l = new AuthFailureLedger(ctx)));
  return l;
}

/**
 * Counts a failed authentication and returns the error to answer it with: `rate_limited` (429, with the seconds to
 * wait) once the source has failed too often this minute, else `fallback`.
 */
export function failedAuthentication(
  ctx: AppContext,
  kind: FailureKind,
  source: string,
  reason: string,
  fallback: AppError,
): AppError {
  const { limited, retryAfterSeconds } = authFailures(ctx).record(kind, source, reason);
  if (!limited) return fallback;
  return new AppError(
    'rate_limited',
    `too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
    { retry_after_seconds: retryAfterSeconds },
  );
}
