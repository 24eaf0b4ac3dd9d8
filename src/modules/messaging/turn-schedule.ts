// When the dispatcher's next turn (one commit of results and claims) is due. Pure, so that the pacing of commits can
// be tested apart from the loop that follows it.

export interface TurnState {
  stopping: boolean;
  /** Outcomes waiting for a commit. */
  finished: number;
  /** Date.now() when the first of them arrived. */
  waitingSince: number;
  /** Deliveries claimed and not yet started, counting those whose turn is still being flushed to disk. */
  queued: number;
  /** Deliveries a claim may take now (0 while stopping). */
  room: number;
  /** Date.now() before which no full claim is made (the queue came back short). */
  idleUntil: number;
}

export interface TurnPacing {
  /** A queue this short (or shorter) asks for a turn at once. */
  lowWater: number;
  /** Longest an outcome waits for its commit while the queue is not low. */
  commitDelayMs: number;
}

/**
 * Milliseconds until the next turn is due: 0 now, Infinity when only a wake-up can make one due. A turn is due when
 * outcomes wait and the queue runs low (or they have waited `commitDelayMs`, or the dispatcher stops), or when there
 * is room, the queue runs low and the idle pause is over. Under load a turn then carries a queue's worth of results
 * instead of a handful.
 */
export function msUntilTurn(s: TurnState, p: TurnPacing, now: number): number {
  const low = s.queued <= p.lowWater;
  if (s.finished > 0) return s.stopping || low ? 0 : Math.max(0, s.waitingSince + p.commitDelayMs - now);
  return s.room > 0 && low ? Math.max(0, s.idleUntil - now) : Infinity;
}
