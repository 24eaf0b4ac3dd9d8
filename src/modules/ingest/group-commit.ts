interface Waiter<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Batches concurrent writes into one transaction: items submitted while a commit is in flight (or in the same turn of
 * the event loop) are written together by the next commit. Each submitter's promise settles only after the commit
 * that carried its item, so durability is per item while the fsync is shared.
 */
export class GroupCommit<T, R> {
  readonly #queue: Waiter<T, R>[] = [];
  #busy = false;
  #scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 256,
    private readonly onBatch?: (size: number) => void,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after the I/O phase, so requests read in the same poll are committed together.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    this.#busy = true;
    const batch = this.#queue.splice(0, this.maxBatch);
    try {
      const results = await this.write(batch.map((w) => w.item));
      this.onBatch?.(batch.length);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
