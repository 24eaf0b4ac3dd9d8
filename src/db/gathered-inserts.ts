// Inserts a long transaction gathers and makes at its end. The processor applies a few hundred events in one
// transaction; each stored message adds a row per word to the search index and a couple of inbox events. Inserted
// one event at a time, the index rows land on random pages of a large B-tree, one statement per message; gathered
// and sorted by key at the end of the turn, neighbouring rows share pages and a few statements carry them all.
// Nothing reads these rows inside the transaction that writes them, which is what makes the wait harmless.
import type { Executor } from './types.ts';

type Flush<T> = (db: Executor, rows: T[]) => Promise<void>;

interface Group {
  rows: unknown[];
  flush: Flush<unknown>;
}

const gathering = new WeakMap<Executor, Map<string, Group>>();

/**
 * Runs `fn` with inserts into `trx` gathered (see gatherOrInsert), then makes them, group by group in the order each
 * group was first used, before returning: they commit with the rest of the transaction or not at all.
 */
export async function gatheringInserts<T>(trx: Executor, fn: () => Promise<T>): Promise<T> {
  const groups = new Map<string, Group>();
  gathering.set(trx, groups);
  try {
    const result = await fn();
    for (const g of groups.values()) await g.flush(trx, g.rows);
    return result;
  } finally {
    gathering.delete(trx);
  }
}

/**
 * Inserts `rows` with `insert` now, or, inside gatheringInserts on this transaction, adds them to the group `key`,
 * whose rows all go to its `insert` (the first one given for the key) at the end.
 */
export async function gatherOrInsert<T>(
  db: Executor,
  key: string,
  rows: readonly T[],
  insert: Flush<T>,
): Promise<void> {
  if (rows.length === 0) return;
  const groups = gathering.get(db);
  if (!groups) return insert(db, [...rows]);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { rows: [], flush: insert as Flush<unknown> }));
  for (const r of rows) g.rows.push(r);
}
