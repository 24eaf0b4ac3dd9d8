import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { pidAlive } from '../lib/process-identity.ts';
import { SQLITE_BUSY_TIMEOUT_MS, tryWithoutWaiting } from './sqlite-file.ts';

/** How long a writer waits for a turn it found holding the lock before it asks SQLite itself (the holder died?). */
const HANDOFF_MAX_MS = 1000;
/** The slots of the shared memory: the count of waiting writers, and the thread whose turn holds the lock (id + 1). */
const WAITING = 0;
const HOLDER = 1;
/** How often a long writer looks for the notes of writers of other processes (a directory listing). */
const LOOK_MS = 5;
/** A note older than this is a waiter's that gave up without removing it (past SQLite's 10 s busy timeout). */
const NOTE_MAX_MS = 30_000;

/**
 * How many of this process's SQLite connections want the database's write lock right now, counted in memory shared by
 * its threads (the server's, the processing thread's, the intake thread's).
 *
 * SQLite has one write lock and no queue: a connection that finds it taken sleeps in its busy handler and tries again
 * later, and better-sqlite3 sleeps on the calling thread. A long writer (the webhook processor applies a backlog in
 * turns of up to hundreds of milliseconds) would hold every other writer, and with it the thread it runs on (the
 * server's, for an audit row), for a whole turn. With this count it does not: it reads `waiting` between events,
 * commits as soon as someone waits, and lets them in before its next turn (see `yieldTo`).
 *
 * Every transaction and lone write statement of `openDatabase`'s connections counts itself, and so does the intake
 * thread's commit (a POST's acknowledgement waits for it). The spool's mover does not: what it moves is acknowledged
 * already, and under load it commits every few milliseconds, which would cut every turn short.
 *
 * A writer of another process (a CLI command, `serve --role web` beside `--role worker`) cannot reach this memory:
 * when its BEGIN, or a write statement outside any transaction, finds the lock held by no thread of its own process it
 * leaves a note, an empty file named after its process and thread in the directory `notes` (see `waitFor`), and the
 * long writer looks for notes as it looks at the count, every LOOK_MS at most (`waitingElsewhere`).
 */
export class WriteLockWaiters {
  /** The shared memory: pass it to another thread (workerData) and wrap it there with `new WriteLockWaiters(buffer)`. */
  readonly buffer: SharedArrayBuffer;
  readonly #count: Int32Array;

  /** Where writers of other processes leave their notes (beside the database file); null: not looked at. */
  readonly #notes: string | null;
  #lookedAt = -Infinity;
  #seen = false;
  #noted = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8), notes: string | null = null) {
    this.buffer = buffer;
    this.#count = new Int32Array(buffer, 0, 2);
    this.#notes = notes;
  }

  /** Whether a transaction of another thread of this process holds the lock (marked by `hold`). */
  get heldHere(): boolean {
    return Atomics.load(this.#count, HOLDER) !== 0;
  }

  /**
   * For a writer that found the lock held by another process (see `whenLockFree`): counted as waiting here, and noted
   * where other processes look, until the returned function is called (once it has the lock, or gave up).
   */
  waitFor(): () => void {
    Atomics.add(this.#count, WAITING, 1);
    let note: string | null = null;
    if (this.#notes !== null) {
      try {
        mkdirSync(this.#notes, { recursive: true, mode: 0o700 });
        note = join(this.#notes, `${process.pid}-${threadId}-${++this.#noted}`);
        writeFileSync(note, '', { flag: 'wx', mode: 0o600 });
      } catch {
        // Not writable here: the writer waits as one of another process did before notes, for the turn to end.
        note = null;
      }
    }
    return () => {
      Atomics.sub(this.#count, WAITING, 1);
      if (note === null) return;
      try {
        unlinkSync(note);
      } catch {
        // Already removed (by a long writer that took it for a dead process's): nothing left to do.
      }
    };
  }

  /**
   * Whether a writer of another process has noted that it waits; looked up at most every LOOK_MS (between two looks
   * the last answer stands). Notes of processes that are gone, or older than NOTE_MAX_MS, are removed and not counted.
   */
  waitingElsewhere(): boolean {
    if (this.#notes === null) return false;
    const now = performance.now();
    if (now - this.#lookedAt < LOOK_MS) return this.#seen;
    this.#lookedAt = now;
    let names: string[];
    try {
      names = readdirSync(this.#notes);
    } catch {
      return (this.#seen = false);
    }
    this.#seen = names.filter((name) => this.#live(name)).length > 0;
    return this.#seen;
  }

  #live(name: string): boolean {
    const path = join(this.#notes!, name);
    const pid = Number(name.split('-')[0]);
    let live = Number.isInteger(pid) && pid > 0 && pidAlive(pid);
    if (live) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st === undefined) return false;
      live = Date.now() - st.mtimeMs < NOTE_MAX_MS;
    }
    if (!live) {
      try {
        unlinkSync(path);
      } catch {
        // Removed meanwhile.
      }
    }
    return live;
  }

  /** How many connections are waiting for the lock (or, for `whileWaiting` around a whole transaction, hold it). */
  get waiting(): number {
    return Atomics.load(this.#count, WAITING);
  }

  /** Runs `take` (a BEGIN IMMEDIATE, or a short write transaction) counted as waiting for the lock until it returns. */
  whileWaiting<T>(take: () => T): T {
    Atomics.add(this.#count, WAITING, 1);
    try {
      // A long writer's turn of another thread holds the lock: woken as soon as it commits (see hold).
      const holder = Atomics.load(this.#count, HOLDER);
      if (holder !== 0 && holder !== threadId + 1) Atomics.wait(this.#count, HOLDER, holder, HANDOFF_MAX_MS);
      return take();
    } finally {
      Atomics.sub(this.#count, WAITING, 1);
    }
  }

  /**
   * Once a transaction has the lock (`transactionFlushedLater` takes it for the processor's turns and the dispatcher's
   * and sender's commits): marks the lock as this thread's, so a writer of another thread waits on this memory instead
   * of SQLite's busy handler. Returns the release, to call once the transaction ended (committed or not): it wakes
   * them at once.
   */
  hold(): () => void {
    Atomics.store(this.#count, HOLDER, threadId + 1);
    return () => {
      Atomics.store(this.#count, HOLDER, 0);
      Atomics.notify(this.#count, HOLDER);
    };
  }

  /** For whoever started the long writer's thread, once it ended: its turn, if it was in one, holds nothing any more. */
  forget(thread: number): void {
    if (Atomics.compareExchange(this.#count, HOLDER, thread + 1, 0) === thread + 1) Atomics.notify(this.#count, HOLDER);
  }

  /**
   * Runs `take` (a statement or transaction that takes the write lock on `db`, counted through `whileWaiting`). When a
   * turn of another thread of this process holds the lock, `take` runs at once and waits for that turn's commit on
   * the shared memory. Otherwise it runs at once when the lock is free; when another process holds it (or a thread
   * of this one that does not mark it, the spool's mover), SQLite's busy handler would look again after 1, 2, 5, 10…
   * then every 100 ms, holding the thread, and could miss each short gap between a processor's turns: this writer
   * notes that it waits (`waitFor`), so a processor ends its turn and lets it in, and looks every millisecond with the
   * event loop free. Past SQLite's own busy timeout it fails as SQLite would, with SQLITE_BUSY.
   */
  async whenLockFree<T>(db: SqliteDatabase.Database, take: () => T): Promise<Awaited<T>> {
    if (this.heldHere) return await take();
    const first = tryWithoutWaiting(db, take);
    if (first !== null) return await first.value;
    const done = this.waitFor();
    try {
      const until = performance.now() + SQLITE_BUSY_TIMEOUT_MS;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (this.heldHere) return await take();
        const next = tryWithoutWaiting(db, take, performance.now() >= until);
        if (next !== null) return await next.value;
      }
    } finally {
      done();
    }
  }

  /**
   * For the long writer, between two of its transactions: resolves once nobody waits any more (they took the lock in
   * turn), or after `maxMs`. A waiting connection notices the free lock only when its busy handler wakes (after 1, 2,
   * 5, 10… ms), so without this the long writer's next BEGIN would take the lock first again.
   */
  async yieldTo(maxMs = 100): Promise<void> {
    const until = performance.now() + maxMs;
    while ((this.waiting > 0 || this.waitingElsewhere()) && performance.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
