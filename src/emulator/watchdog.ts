// Timeouts for many concurrent answers with one timer: a slow answer is a failed delivery, whatever the transport.
// One sweeping interval costs far less than a timer and a Promise.race per POST at thousands of POSTs per second.

interface Watched {
  deadline: number;
  reject: (err: Error) => void;
}

export class Watchdog {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  /** Settles like `p`, or rejects once `timeoutMs` has passed without an answer (checked every timeoutMs/10). */
  watch<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Watched = { deadline: performance.now() + this.timeoutMs, reject };
      this.watched.add(entry);
      this.arm();
      p.then(
        (v) => {
          this.watched.delete(entry);
          resolve(v);
        },
        (err: unknown) => {
          this.watched.delete(entry);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), Math.max(1, Math.floor(this.timeoutMs / 10)));
    this.timer.unref();
  }

  private sweep(): void {
    const now = performance.now();
    for (const entry of this.watched) {
      if (entry.deadline <= now) {
        this.watched.delete(entry);
        entry.reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }
    }
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
