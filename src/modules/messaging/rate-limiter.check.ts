// Test support shared by the in-memory and Redis limiter tests.

/** The largest number of grants any half-open interval of `windowMs` holds (such an interval can start at a grant). */
export function busiestWindow(grants: readonly number[], windowMs: number): number {
  const sorted = [...grants].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! - sorted[start]! < windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}
