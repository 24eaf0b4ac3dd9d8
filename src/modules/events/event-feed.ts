import type { Executor } from '../../db/types.ts';
import { eventBounds } from './events.repository.ts';

/** After a wake-up whose look found nothing new yet (the appending transaction had not committed), look again. */
const RELOOK_MS = [5, 10, 20, 40, 80];

/**
 * Tells waiting readers (SSE streams, long polls) that events after their seq exist. The event table is the truth:
 * the feed looks at its newest seq every `pollMs` while anyone waits (one query for all of them, whichever process or
 * thread appended). A new waiter looks at once, and so does a `wake()` (events were appended in this thread, in the
 * processing thread, or in another process: a NOTIFY), then again a few times shortly after while the look finds
 * nothing new, since a wake-up may come before the commit it announces. No wake-up can be lost, since none is
 * needed: the next regular look finds the events.
 */
export class EventFeed {
  readonly #db: Executor;
  readonly #pollMs: number;
  readonly #waiters = new Set<{ after: number; resolve: (newest: number) => void }>();
  #timer: NodeJS.Timeout | null = null;
  #looking = false;
  #closed = false;
  /** Where in RELOOK_MS the looks after a wake-up are (RELOOK_MS.length: none pending). */
  #relook = RELOOK_MS.length;
  /** A wake-up came while a look was running: look again once it ends. */
  #wokenWhileLooking = false;
  /** When the pending look runs (performance.now()). */
  #timerAt = 0;

  constructor(db: Executor, pollMs = 250) {
    this.#db = db;
    this.#pollMs = pollMs;
  }

  /** Resolves with the newest seq once it is beyond `after`, or after `timeoutMs` (with whatever is newest then). */
  wait(after: number, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.#closed) return Promise.resolve(after);
    return new Promise((resolve) => {
      const waiter = {
        after,
        resolve: (newest: number) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          this.#waiters.delete(waiter);
          resolve(newest);
        },
      };
      const timer = setTimeout(() => waiter.resolve(after), timeoutMs);
      const abort = () => waiter.resolve(after);
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiters.add(waiter);
      this.#schedule(0);
    });
  }

  /** Events may have been appended: look now (and shortly after, until something new shows), not at the next poll. */
  wake(): void {
    if (this.#closed || this.#waiters.size === 0) return;
    this.#relook = 0;
    if (this.#looking) this.#wokenWhileLooking = true;
    else this.#schedule(0);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of [...this.#waiters]) w.resolve(w.after);
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#waiters.size === 0 || this.#looking) return;
    const at = performance.now() + ms;
    if (this.#timer && at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => void this.#look(), ms);
    this.#timer.unref();
  }

  async #look(): Promise<void> {
    this.#timer = null;
    this.#looking = true;
    this.#wokenWhileLooking = false;
    try {
      const { newest } = await eventBounds(this.#db);
      for (const w of [...this.#waiters]) if (newest > w.after) w.resolve(newest);
    } catch {
      // The database is away for a moment: the next look tries again.
    } finally {
      this.#looking = false;
      if (this.#wokenWhileLooking) this.#schedule(0);
      else if (this.#relook < RELOOK_MS.length) this.#schedule(RELOOK_MS[this.#relook++]!);
      else this.#schedule(this.#pollMs);
    }
  }
}
