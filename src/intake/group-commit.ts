interface Waiter<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Largest batch handed to one write (default 256). */
  maxBatch?: number;
  /** Called with each batch's size after it is written (metrics). */
  onBatch?: (size: number) => void;
}

/**
 * Batches concurrent writes into one transaction: items submitted while a commit is in flight (or in the same turn of
 * the event loop) are written together by the next commit. Each submitter's promise settles only after the commit
 * that carried its item, so durability is per item while the fsync is shared.
 */
export class GroupCommit<T, R> {
  readonly #queue: Waiter<T, R>[] = [];
  readonly #maxBatch: number;
  readonly #onBatch: ((size: number) => void) | undefined;
  #writing = false;
  #scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    opts: GroupCommitOptions = {},
  ) {
    this.#maxBatch = opts.maxBatch ?? 256;
    this.#onBatch = opts.onBatch;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after the I/O phase, so requests read in the same poll are committed together.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    this.#writing = true;
    const batch = this.#queue.splice(0, this.#maxBatch);
    try {
      const results = await this.write(batch.map((w) => w.item));
      this.#onBatch?.(batch.length);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.#writing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
