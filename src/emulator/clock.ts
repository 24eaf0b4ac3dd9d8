// The emulator's clock drives every policy (24-hour window, 7-day HUMAN_AGENT, retries, alerts, idle threads).
// "frozen" stands still until advanced (deterministic tests); "running" follows real time plus any advance.

export type ClockMode = 'frozen' | 'running';

export class Clock {
  private offset = 0;
  private readonly realStart = Date.now();
  constructor(
    private readonly start: number,
    readonly mode: ClockMode,
  ) {}

  /** Milliseconds since the epoch on the emulator's clock; never goes backwards. */
  now(): number {
    const elapsed = this.mode === 'running' ? Date.now() - this.realStart : 0;
    return this.start + elapsed + this.offset;
  }

  /** Moves the clock forward by `ms` (negative values are refused so time stays monotonic). */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance_ms must be a non-negative number');
    this.offset += ms;
    return this.now();
  }
}
