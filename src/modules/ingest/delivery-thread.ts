// What the intake worker and the spool's mover share: each is a worker thread of this process that seals webhook
// deliveries with the app's keyring and inserts them into SQLite through a connection of its own.
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import type { Keyring, KeyringTransfer } from '../../crypto/index.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';

/** The keyring again, after a key rotation made another version current. */
export type KeyringUpdate = { type: 'keys'; keys: KeyringTransfer };

/**
 * Starts `moduleUrl` in a worker thread with `data` as its workerData, plus the keyring. Node 20 does not carry
 * `--import tsx` into workers, so the thread registers tsx before it loads the module. Returns the worker and a
 * function to call before each message: it sends the keyring again once another version became current.
 */
export function startDeliveryThread(moduleUrl: string, keyring: Keyring, data: Record<string, unknown>): { worker: Worker; followKeys: () => void } {
  const entry = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })`;
  const worker = new Worker(entry, { eval: true, workerData: { ...data, keys: keyring.transfer() } });
  let version = keyring.currentVersion;
  const followKeys = () => {
    if (keyring.currentVersion === version) return;
    version = keyring.currentVersion;
    worker.postMessage({ type: 'keys', keys: keyring.transfer() } satisfies KeyringUpdate);
  };
  return { worker, followKeys };
}

/**
 * The thread's own connection (WAL, the given synchronous mode) and an insert of one delivery row. The statement is
 * prepared at its first use, inside the caller's error handling: a database that cannot take rows yet is a failure
 * to retry, not a thread that dies at start.
 */
export function openDeliveryStore(file: string, synchronous: 'FULL' | 'NORMAL'): { db: SqliteDatabase.Database; insert: (row: WebhookDeliveryTable) => void } {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 10000');
  let statement: SqliteDatabase.Statement | null = null;
  const insert = (row: WebhookDeliveryTable) => {
    statement ??= db.prepare(`insert into webhook_deliveries (id, received_at, body_hash, body_enc, status, attempts) values (?, ?, ?, ?, 'pending', 0)`);
    statement.run(row.id, row.received_at, row.body_hash, row.body_enc);
  };
  return { db, insert };
}
