import type { Executor } from '../../db/types.ts';
import { eventBounds } from './events.repository.ts';

/**
 * Tells waiting readers (SSE streams, long polls) that events after their seq exist. The event table is the truth:
 * the feed looks at its newest seq every `pollMs` while anyone waits (one query for all of them, whichever process or
 * thread appended). A new waiter looks at once. No wake-up can be lost, since there is none to lose: the next look
 * finds the events.
 */
export class EventFeed {
  readonly #db: Executor;
  readonly #pollMs: number;
  readonly #waiters = new Set<{ after: number; resolve: (newest: number) => void }>();
  #timer: NodeJS.Timeout | null = null;
  #looking = false;
  #closed = false;

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

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of [...this.#waiters]) w.resolve(w.after);
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#waiters.size === 0 || this.#looking) return;
    if (this.#timer && ms > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#look(), ms);
    this.#timer.unref();
  }

  async #look(): Promise<void> {
    this.#timer = null;
    this.#looking = true;
    try {
      const { newest } = await eventBounds(this.#db);
      for (const w of [...this.#waiters]) if (newest > w.after) w.resolve(newest);
    } catch {
      // The database is away for a moment: the next look tries again.
    } finally {
      this.#looking = false;
      this.#schedule(this.#pollMs);
    }
  }
}
