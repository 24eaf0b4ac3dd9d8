// Statements over a batch (`IN (…)`, `CASE id WHEN … END`) have one SQL text per batch size, and each new text is
// prepared anew and takes a slot in the driver's statement cache, pushing out the statements of the rest of the app.
// Padding a batch to the next power of two (repeating its last element, which changes nothing in an IN list or a
// CASE whose first match wins) keeps that to a handful of texts per statement.

/** `items` padded to the next power of two (at least `min`) with copies of its last element; empty stays empty. */
export function padToBucket<T>(items: readonly T[], min = 4): T[] {
  if (items.length === 0) return [];
  let size = min;
  while (size < items.length) size *= 2;
  const out = [...items];
  while (out.length < size) out.push(items[items.length - 1]!);
  return out;
}
