// What the intake worker and the spool's mover share: each is a worker thread of this process that seals webhook
// deliveries with the app's keyring and inserts them into SQLite through a connection of its own.
import { parentPort, Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import type { Keyring, KeyringTransfer } from '../../crypto/index.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';

/** The keyring again, after a key rotation made another version current. */
export type KeyringUpdate = { type: 'keys'; keys: KeyringTransfer };

/** What a delivery thread posts once its module is loaded and its database is open: it can store from then on. */
const READY = 'pagescope-delivery-thread-ready';

/** Called by the thread when it can take work (see `ready` below). */
export function announceReady(): void {
  parentPort!.postMessage(READY);
}

/**
 * The worker of `moduleUrl`. Compiled (dist/…/x.js) it is started as it is. Run from source (x.ts, the tests and a
 * checkout without a build) the thread must register tsx before it loads the module, since Node 20 does not carry
 * `--import tsx` into workers; tsx is resolved from this package, not from the working directory, so a server
 * started from any folder still stores its webhooks.
 */
function workerFor(moduleUrl: string, workerData: Record<string, unknown>): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })`;
  return new Worker(entry, { eval: true, workerData });
}

/** Where a delivery thread stands: loading its module and opening its database, able to store, or gone. */
export type ThreadState = 'starting' | 'ready' | 'failed';

/**
 * Starts `moduleUrl` in a worker thread with `data` as its workerData, plus the keyring; its messages go to
 * `onMessage`. Returns the worker, `state` (ready once the thread announced it can store, failed if it failed or
 * exited: the server is not ready until it is ready) and a function to call before each message: it sends the
 * keyring again once another version became current.
 */
export function startDeliveryThread<M>(
  moduleUrl: string, keyring: Keyring, data: Record<string, unknown>, onMessage: (m: M) => void,
): { worker: Worker; followKeys: () => void; state: () => ThreadState } {
  const worker = workerFor(moduleUrl, { ...data, keys: keyring.transfer() });
  let state: ThreadState = 'starting';
  worker.on('message', (m: M | typeof READY) => {
    if (m === READY) state = 'ready';
    else onMessage(m as M);
  });
  worker.once('error', () => (state = 'failed'));
  worker.once('exit', () => (state = 'failed'));
  let version = keyring.currentVersion;
  const followKeys = () => {
    if (keyring.currentVersion === version) return;
    version = keyring.currentVersion;
    worker.postMessage({ type: 'keys', keys: keyring.transfer() } satisfies KeyringUpdate);
  };
  return { worker, followKeys, state: () => state };
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
