import SqliteDatabase from 'better-sqlite3';

/** How long a SQLite connection waits for another one's write lock before it gives up (SQLITE_BUSY). */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export interface SqliteFileOptions {
  /** FULL: a commit is on disk when it returns; NORMAL: once the WAL is next flushed. */
  synchronous: 'FULL' | 'NORMAL';
  /** Deleted and overwritten values are zeroed in the file itself, not left in its free space. */
  secureDelete?: boolean;
  foreignKeys?: boolean;
}

/**
 * SQLite applies `busy_timeout` and `synchronous` while it compiles the PRAGMA, not when the statement runs: one
 * prepared ahead changes nothing at its first run (later runs compile it again). These compile it at each call,
 * through `exec` (about 0.6 µs; better-sqlite3's `pragma()` also builds a result row, about 2.5 µs).
 */
export function setBusyTimeout(db: SqliteDatabase.Database, ms: number): void {
  db.exec(`pragma busy_timeout = ${Math.trunc(ms)}`);
}

/** See setBusyTimeout: FULL makes each commit durable before it returns, NORMAL leaves the WAL's flush to the caller. */
export function setSynchronous(db: SqliteDatabase.Database, mode: 'FULL' | 'NORMAL'): void {
  db.exec(`pragma synchronous = ${mode}`);
}

/**
 * Runs `take` (a statement that takes the write lock) with the busy timeout at 0, so it does not wait in SQLite's
 * busy handler: null when another connection holds the lock (or, with `last`, the SQLITE_BUSY error is thrown).
 */
export function tryWithoutWaiting<T>(db: SqliteDatabase.Database, take: () => T, last = false): { value: T } | null {
  setBusyTimeout(db, 0);
  try {
    return { value: take() };
  } catch (err) {
    if (!last && (err as { code?: unknown }).code === 'SQLITE_BUSY') return null;
    throw err;
  } finally {
    setBusyTimeout(db, SQLITE_BUSY_TIMEOUT_MS);
  }
}

/**
 * Opens one of pagescope's SQLite files (the database, from any thread; the contact-key store) as every writing
 * connection does: WAL, the given synchronous mode, the busy timeout, and SQLite's temporary files kept in memory
 * (temp_store=MEMORY).
 *
 * The last one matters to both speed and privacy. A statement that changes several rows inside a longer transaction
 * (a message's search tokens, a turn's gathered inserts) keeps a statement journal of the pages it touches, and past
 * 64 KiB SQLite spills that journal to a deleted file in /var/tmp: page images of this database, written to another
 * disk's free space, outside the data dir and beyond secure_delete's reach, and writes the processor pays for. In
 * memory they are bounded by one statement's pages and gone with it.
 */
export function openSqliteFile(file: string, opts: SqliteFileOptions): SqliteDatabase.Database {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.pragma('temp_store = MEMORY');
  if (opts.foreignKeys) db.pragma('foreign_keys = ON');
  if (opts.secureDelete) db.pragma('secure_delete = ON');
  return db;
}
