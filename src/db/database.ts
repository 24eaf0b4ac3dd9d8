import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { privateFile } from '../lib/private-files.ts';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import type { DB, Db, Dialect } from './types.ts';
import { BACKSTOP_PAGES, startWalCheckpointer } from './wal-checkpointer.ts';
import { registerNativeSqlite } from './prepared.ts';
import { openSqliteFile, setSynchronous } from './sqlite-file.ts';
import { WriteLockWaiters } from './write-lock-waiters.ts';

/** The PostgreSQL driver, loaded on first use: a CLI call on SQLite does not pay for loading it. */
let pgDriver: Promise<typeof import('pg').default> | null = null;
function loadPg(): Promise<typeof import('pg').default> {
  return (pgDriver ??= import('pg').then(({ default: pg }) => {
    // int8 columns hold epoch milliseconds and counters, all far below 2^53: read them back as numbers.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    return pg;
  }));
}

export interface Database {
  db: Db;
  dialect: Dialect;
  /** SQLite file path, when embedded. */
  file: string | null;
  ping(): Promise<void>;
  /**
   * A write transaction that resolves once committed, with `durable`, which resolves once the commit is on disk:
   * act on the result (send what it claimed) only after `durable`. On SQLite the commit skips its fsync
   * (synchronous=NORMAL for this transaction alone) and the WAL is flushed from libuv's thread pool, so the thread
   * goes on meanwhile, and the next transaction may commit before this one's flush ends (the WAL is one log, in
   * order: a later durable commit makes every earlier one durable). Other queries may see the writes before they
   * are durable, as with PostgreSQL's synchronous_commit=off. On PostgreSQL the commit is durable when it returns.
   */
  transactionFlushedLater<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<{ result: T; durable: Promise<void> }>;
  /**
   * PostgreSQL: calls `fn` at each NOTIFY on `channel` (from any process), over a connection of its own that is
   * opened again after it breaks (`fn` is called then too: what was notified meanwhile is not lost to whoever looks
   * at the table). SQLite: nothing (readers of the table find
   * what other processes wrote by looking). Returns the function that stops listening.
   */
  listen(channel: string, fn: () => void): () => Promise<void>;
  /**
   * SQLite: how many of this process's connections wait for the write lock (shared by its threads: give
   * `lockWaiters.buffer` to a thread that opens the same file). Every transaction of this database, and every write
   * statement run outside one, counts itself while it takes the lock; the webhook processor reads it to end its turn.
   * PostgreSQL: null (it locks rows, not the file).
   */
  lockWaiters: WriteLockWaiters | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL only: run in this schema (created if missing); tests use a fresh one per run. */
  schema?: string;
  /** SQLite only: file name inside the data dir. */
  fileName?: string;
  poolSize?: number;
  /**
   * SQLite only: where WAL checkpoints run. `inline` (SQLite's default): a commit that takes the WAL past 1,000 pages
   * copies it into the database file first. `thread`: this database starts a checkpointer thread (see
   * wal-checkpointer.ts) and its commits checkpoint only past BACKSTOP_PAGES; `elsewhere`: the same backstop, for a
   * connection of a process whose checkpointer another database started (serve's processing thread).
   */
  walCheckpoints?: 'inline' | 'thread' | 'elsewhere';
  /** SQLite only: the count of waiting writers shared with the thread that opened the file first (its `buffer`). */
  lockWaiters?: SharedArrayBuffer;
}

/** Kysely's connection, whose lone writes wait for another process's lock (see acquireConnection); `raw` as it was. */
interface LoneWritesWait extends DatabaseConnection {
  raw: DatabaseConnection;
}

/**
 * Kysely begins SQLite transactions with a plain (deferred) BEGIN: such a transaction reads under a snapshot and asks
 * for the write lock only at its first write, and when another connection (the webhook intake or spool threads, a
 * CLI command) committed in between, SQLite refuses at once with SQLITE_BUSY_SNAPSHOT, without waiting. BEGIN
 * IMMEDIATE takes the write lock first, waiting up to the busy timeout, so a transaction that reads then writes
 * always sees the latest data and cannot fail that way.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #waiters: WriteLockWaiters;
  readonly #native: SqliteDatabase.Database;
  /** The connection's statements, prepared once (see withStatementCache): whether one only reads. */
  readonly #statements: SqliteDatabase.Database;
  #connection: LoneWritesWait | null = null;
  constructor(settings: SqliteDialectConfig, waiters: WriteLockWaiters, native: SqliteDatabase.Database) {
    super(settings);
    this.#waiters = waiters;
    this.#native = native;
    this.#statements = settings.database as SqliteDatabase.Database;
  }

  /**
   * The one connection, as Kysely runs queries on it. A statement that writes outside a transaction (an audit row, a
   * session's last use) takes the write lock by itself: when another process holds it, it waits as BEGIN does (see
   * beginTransaction), not in SQLite's busy handler, which would hold the thread's event loop meanwhile.
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#connection ??= {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
        this.#native.inTransaction || PRAGMA.test(query.sql) || this.#statements.prepare(query.sql).readonly
          ? connection.executeQuery<R>(query)
          : this.#waiters.whenLockFree(this.#native, () => connection.executeQuery<R>(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      raw: connection,
    };
    return this.#connection;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // better-sqlite3 runs the statement (and any wait for the lock) before executeQuery returns its promise, and
    // throws from it when the statement fails.
    const raw = (connection as Partial<LoneWritesWait>).raw ?? connection;
    const begin = () => void raw.executeQuery(CompiledQuery.raw('begin immediate'));
    // Counted while it waits: a turn of another thread of this process ends, and wakes it at its commit.
    await this.#waiters.whenLockFree(this.#native, () => this.#waiters.whileWaiting(begin));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig;
  readonly #waiters: WriteLockWaiters;
  readonly #native: SqliteDatabase.Database;
  constructor(settings: SqliteDialectConfig, waiters: WriteLockWaiters, native: SqliteDatabase.Database) {
    super(settings);
    this.#settings = settings;
    this.#waiters = waiters;
    this.#native = native;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings, this.#waiters, this.#native);
  }
}

/**
 * Opens the database: PostgreSQL when a URL is given, else SQLite in the data dir (WAL, synchronous=FULL so that a
 * commit is on disk before anything is acknowledged, busy timeout so CLI commands can run beside the server, and
 * write transactions that take the write lock when they begin).
 */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.schema, opts.poolSize ?? 10);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const file = join(opts.dataDir, opts.fileName ?? 'pagescope.db');
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
  privateFile(file);
  // Deleted and overwritten values are zeroed in the file, not left in free space (erasure, dropped raw bodies).
  const native = openSqliteFile(file, { synchronous: 'FULL', foreignKeys: true, secureDelete: true });
  const checkpoints = opts.walCheckpoints ?? 'inline';
  if (checkpoints !== 'inline') native.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const checkpointer = checkpoints === 'thread' ? startWalCheckpointer(file) : null;
  // Writers of other processes note that they wait in `pagescope.db-waiting/` (see WriteLockWaiters.waitFor).
  const lockWaiters = new WriteLockWaiters(opts.lockWaiters, `${file}-waiting`);
  const db = new Kysely<DB>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(native, lockWaiters) }, lockWaiters, native),
  });
  registerNativeSqlite(db, native);
  const flushWal = walFlusher(file);
  return {
    db,
    dialect: 'sqlite',
    file,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    listen: () => async () => {},
    lockWaiters,
    transactionFlushedLater: async (fn) => {
      // The connection is held across the pragma, the transaction and the reset, so no other transaction commits
      // without its fsync meanwhile. Once the transaction has the lock it is marked as this thread's until it ended
      // (see WriteLockWaiters.hold): a writer of another thread waits on that memory and is woken by the commit,
      // rather than in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between looks.
      let release: (() => void) | undefined;
      const result = await db.connection().execute(async (conn) => {
        setSynchronous(native, 'NORMAL');
        try {
          return await conn.transaction().execute((trx) => {
            release = lockWaiters.hold();
            return fn(trx);
          });
        } finally {
          release?.();
          setSynchronous(native, 'FULL');
        }
      });
      const durable = flushWal();
      // Whoever awaits it sees a failure; an unawaited one must not crash the process.
      durable.catch(() => {});
      return { result, durable };
    },
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
      await flushWal.close();
    },
  };
}

/**
 * Makes every frame written so far to a SQLite database's WAL durable: an fdatasync through a descriptor of its own,
 * in libuv's thread pool (the WAL is one file, in order, so one flush covers every commit before it). For commits
 * made with synchronous=NORMAL, acknowledged only once a flush that began after them has ended.
 */
export function walFlusher(file: string): (() => Promise<void>) & { close(): Promise<void> } {
  let wal: Promise<FileHandle> | null = null;
  const flush = async () => {
    wal ??= open(`${file}-wal`, 'r');
    try {
      await (await wal).datasync();
    } catch (err) {
      wal = null;
      throw err;
    }
  };
  return Object.assign(flush, { close: async () => void (await (await wal?.catch(() => null))?.close()) });
}

/** A PRAGMA, which the statement cache does not keep (see withStatementCache). */
const PRAGMA = /^\s*pragma\b/i;

/**
 * Kysely prepares every query anew; better-sqlite3's prepare costs more than running a point query. Queries are
 * few distinct strings, so a bounded cache of prepared statements keeps the hot paths at driver speed.
 */
function withStatementCache(
  native: SqliteDatabase.Database,
  waiters: WriteLockWaiters,
  max = 512,
): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(native, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver) as unknown;
      return (sqlText: string) => {
        // SQLite applies a pragma's setting (and reads some of its values) while it compiles it: each is compiled anew.
        if (PRAGMA.test(sqlText)) return target.prepare(sqlText);
        let stmt = cache.get(sqlText);
        if (!stmt) {
          stmt = countedOutsideTransactions(target, target.prepare(sqlText), waiters);
          if (cache.size >= max) cache.delete(cache.keys().next().value as string);
          cache.set(sqlText, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * A statement that writes (with RETURNING too), run outside a transaction, takes the write lock by itself (an audit
 * row, a session's last use): such a run counts itself among the waiting writers as BEGIN IMMEDIATE does.
 */
function countedOutsideTransactions(
  native: SqliteDatabase.Database,
  stmt: SqliteDatabase.Statement,
  waiters: WriteLockWaiters,
): SqliteDatabase.Statement {
  if (stmt.readonly) return stmt;
  const counted = new Map<PropertyKey, unknown>(
    (['run', 'all', 'get'] as const).map((name) => {
      const call = stmt[name].bind(stmt) as (...params: unknown[]) => unknown;
      return [
        name,
        (...params: unknown[]) =>
          native.inTransaction ? call(...params) : waiters.whileWaiting(() => call(...params)),
      ];
    }),
  );
  return new Proxy(stmt, {
    get(target, prop) {
      if (counted.has(prop)) return counted.get(prop);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('invalid schema name');
  const pg = await loadPg();
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A broken idle connection must not crash the process; the next query reports the failure.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    file: null,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    transactionFlushedLater: async (fn) => ({ result: await db.transaction().execute(fn), durable: Promise.resolve() }),
    listen: (channel, fn) => listenPostgres(pg, url, channel, fn),
    lockWaiters: null,
    close: () => db.destroy(),
  };
}

/** LISTEN on a connection of its own, opened again a second after it fails or ends, until stopped. */
function listenPostgres(
  pg: typeof import('pg').default,
  url: string,
  channel: string,
  fn: () => void,
): () => Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error('invalid channel name');
  let stopped = false;
  let client: InstanceType<typeof pg.Client> | null = null;
  let retry: NodeJS.Timeout | null = null;
  const again = () => {
    client = null;
    if (stopped || retry) return;
    retry = setTimeout(connect, 1000);
    retry.unref();
  };
  const connect = () => {
    retry = null;
    if (stopped) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on('notification', () => fn());
    c.on('error', () => {
      void c.end().catch(() => {});
      again();
    });
    c.on('end', again);
    c.connect()
      .then(() => c.query(`listen ${channel}`))
      .then(() => fn())
      .catch(() => {
        void c.end().catch(() => {});
        again();
      });
  };
  connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

/** Drops a schema created for a test run. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const pg = await loadPg();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.end();
  }
}
