// What the intake worker and the spool's mover share: each is a worker thread of this process that seals webhook
// deliveries with the app's keyring and the current intake key, and inserts them into SQLite through a connection of
// its own.
import { parentPort, type Worker } from 'node:worker_threads';
import { startModuleWorker } from '../lib/module-worker.ts';
import type SqliteDatabase from 'better-sqlite3';
import type { Keyring, KeyringTransfer } from '../crypto/index.ts';
import type { WebhookPostTable } from '../db/tables/conversations.ts';
import { openSqliteFile } from '../db/sqlite-file.ts';
import { IntakeKeyRetired, type IntakeKey } from '../modules/privacy/intake-body.ts';

/** The keyring and the intake key again, after a rotation of either made another one current. */
export type KeyringUpdate = { type: 'keys'; keys: KeyringTransfer; intake: IntakeKey };

/** What a delivery thread posts once its module is loaded and its database is open: it can store from then on. */
const READY = 'pagescope-post-thread-ready';
/** What a delivery thread posts when its intake key was retired: it waits for the current one (a KeyringUpdate). */
const STALE = 'pagescope-post-thread-key-retired';

/**
 * How long the key a delivery thread seals under is trusted without reading the key store again. A key that became
 * current meanwhile is only newer (the old one is not destroyed while bodies may still be stored under it: the
 * thread's `holdKey` refuses a retired one and the thread asks for the current key, which bypasses this wait).
 */
const KEY_LOOK_MS = 1000;

/** Called by the thread when it can take work (see `ready` below). */
export function announceReady(): void {
  parentPort!.postMessage(READY);
}

/** Called by the thread when a store failed with IntakeKeyRetired: the current key comes back as a KeyringUpdate. */
export function askForCurrentKey(): void {
  parentPort!.postMessage(STALE);
}

/** Where a delivery thread stands: loading its module and opening its database, able to store, or gone. */
export type ThreadState = 'starting' | 'ready' | 'failed';

/**
 * Starts `moduleUrl` in a worker thread with `data` as its workerData, plus the keyring and the intake key; its
 * messages go to `onMessage`. Returns the worker, `state` (ready once the thread announced it can store, failed if it
 * failed or exited: the server is not ready until it is ready) and a function to call before each message: it sends
 * the keys again once another keyring version or intake key became current (and when the thread asks for them).
 */
export function startPostThread<M>(
  moduleUrl: string,
  keyring: Keyring,
  intakeKey: () => IntakeKey,
  data: Record<string, unknown>,
  onMessage: (m: M) => void,
): { worker: Worker; followKeys: () => void; state: () => ThreadState } {
  let intake = intakeKey();
  const worker = startModuleWorker(moduleUrl, { ...data, keys: keyring.transfer(), intake });
  let state: ThreadState = 'starting';
  let version = keyring.currentVersion;
  let lookedAt = performance.now();
  const followKeys = (asked = false) => {
    // The key store is read at most every KEY_LOOK_MS (a read of it costs the server's thread file locks per POST at
    // a low rate): the thread's own check refuses a retired key, and asks for the current one at once.
    if (!asked && keyring.currentVersion === version && performance.now() - lookedAt < KEY_LOOK_MS) return;
    lookedAt = performance.now();
    let now = intake;
    try {
      now = intakeKey();
    } catch {
      // The key store could not be read: the thread keeps its key; one that was retired waits for the next try (at
      // the next batch), rather than being sent back to fail again.
      asked = false;
    }
    if (!asked && keyring.currentVersion === version && now.id === intake.id) return;
    version = keyring.currentVersion;
    intake = now;
    worker.postMessage({ type: 'keys', keys: keyring.transfer(), intake } satisfies KeyringUpdate);
  };
  worker.on('message', (m: M | typeof READY | typeof STALE) => {
    if (m === READY) state = 'ready';
    else if (m === STALE) followKeys(true);
    else onMessage(m as M);
  });
  worker.once('error', () => (state = 'failed'));
  worker.once('exit', () => (state = 'failed'));
  return { worker, followKeys, state: () => state };
}

/**
 * The thread's own connection (WAL, the given synchronous mode), an insert of one delivery row, and `holdKey`: call it
 * in the transaction of the inserts, after them (the write lock is taken then): it throws IntakeKeyRetired when the
 * key the rows are sealed under was retired meanwhile, so that nothing is stored under a key about to be destroyed.
 * The statements are prepared at their first use, inside the caller's error handling: a database that cannot take
 * rows yet is a failure to retry, not a thread that dies at start.
 */
export function openPostStore(
  file: string,
  synchronous: 'FULL' | 'NORMAL',
): {
  db: SqliteDatabase.Database;
  insert: (row: WebhookPostTable) => void;
  holdKey: (id: string) => void;
} {
  const db = openSqliteFile(file, { synchronous });
  let statement: SqliteDatabase.Statement | null = null;
  const insert = (row: WebhookPostTable) => {
    statement ??= db.prepare(`insert into webhook_posts
      (id, received_at, body_hash, body_enc, body_key, status, attempts) values (?, ?, ?, ?, ?, 'pending', 0)`);
    statement.run(row.id, row.received_at, row.body_hash, row.body_enc, row.body_key);
  };
  let list: SqliteDatabase.Statement | null = null;
  let retired: SqliteDatabase.Statement | null = null;
  const holdKey = (id: string) => {
    list ??= db.prepare('insert or ignore into intake_keys (id, created_at, retired_at) values (?, ?, null)');
    retired ??= db.prepare('select 1 from intake_keys where id = ? and retired_at is not null');
    list.run(id, Date.now());
    if (retired.get(id) !== undefined) throw new IntakeKeyRetired();
  };
  return { db, insert, holdKey };
}
