// Reads a long transaction may make once instead of once per event: the processor applies a few hundred events per
// transaction, and for each one reads the same Page's automation rules and assistant settings, and asks whether anyone
// is in a sequence. On SQLite every transaction takes the write lock when it begins (see database.ts), so what it
// reads can change only through its own writes until it ends; the repositories that write such a table forget what
// was remembered of it in that transaction. On PostgreSQL, where another transaction may commit meanwhile, and outside
// a transaction, nothing is remembered: every read is made.
import { isEmbedded } from './prepared.ts';
import type { Executor } from './types.ts';

const memos = new WeakMap<Executor, Map<string, unknown>>();

/**
 * What `read` gives, read once per SQLite transaction under `key` ("<table>:<what>", e.g. `automation_rules:<page>`);
 * elsewhere `read` itself. A failed read is not remembered.
 */
export function readOncePerTransaction<T>(db: Executor, key: string, read: () => Promise<T>): Promise<T> {
  if (!db.isTransaction || !isEmbedded(db)) return read();
  const memo = memos.get(db) ?? new Map<string, unknown>();
  memos.set(db, memo);
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const value = read();
  memo.set(key, value);
  value.catch(() => {
    if (memo.get(key) === value) memo.delete(key);
  });
  return value;
}

/** Forgets what this transaction remembered of `table` (every key `<table>:…`): its writer calls it after a write. */
export function forgetInTransaction(db: Executor, table: string): void {
  const memo = memos.get(db);
  if (!memo) return;
  for (const key of memo.keys()) if (key.startsWith(`${table}:`)) memo.delete(key);
}
