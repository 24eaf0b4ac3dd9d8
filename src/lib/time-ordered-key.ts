/** Milliseconds since the epoch fit in 12 hex digits until the year 10889. */
const WIDTH = 12;
const MAX = 2 ** (WIDTH * 4) - 1;

/**
 * `key` behind a fixed-width prefix that sorts as `at` does (milliseconds since the epoch as 12 hex digits; 0 when
 * there is no time). A unique index over random keys (a blind index, a hash) takes each new key at a random place,
 * so once it outgrows the cache every insert writes a page of its own; keys that arrive in time order and begin
 * with their time land side by side, on the same few pages at the index's end. `at` must be a time the key's
 * source always carries the same (an event's own timestamp, never the time it was received), so that a repeat of
 * the same source makes the same key.
 */
export function timeOrderedKey(at: number | null | undefined, key: string): string {
  const ms = typeof at === 'number' && Number.isFinite(at) ? Math.min(MAX, Math.max(0, Math.trunc(at))) : 0;
  return ms.toString(16).padStart(WIDTH, '0') + key;
}
