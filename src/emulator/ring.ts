/** A bounded log: keeps the newest `limit` items; push is O(1). */
export class Ring<T> {
  private items: T[] = [];
  private start = 0;
  constructor(private readonly limit: number) {}

  push(item: T): void {
    if (this.items.length < this.limit) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.limit;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }

  get length(): number {
    return this.items.length;
  }

  clear(): void {
    this.items = [];
    this.start = 0;
  }
}
