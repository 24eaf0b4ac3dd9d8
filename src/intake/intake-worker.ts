// The webhook intake on SQLite when the spool is off (or held by another process), in a worker thread. A POST's own
// work (its signature, its envelope, its encryption, its insert) and each group's commit with its fsync run here,
// beside the server's thread, which only reads the requests, hands their bytes over (one message per turn of its
// event loop, or per SEND_EVERY POSTs), and answers. better-sqlite3 is
// synchronous, so a commit on the server's thread would stop every request for its duration; and the work per POST
// on the server's thread is what bounded the rate at which Meta's deliveries could be acknowledged.
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { errorCode } from '../errors.ts';
import { Keyring, type KeyringTransfer } from '../crypto/index.ts';
import { walFlusher } from '../db/database.ts';
import { WriteLockWaiters } from '../db/write-lock-waiters.ts';
import type { WebhookPostTable } from '../db/tables/conversations.ts';
import type { SignatureHeaders } from '../platform/index.ts';
import { acceptPost, storageRefusal, type Refusal } from '../modules/ingest/accept-post.ts';
import {
  announceReady,
  askForCurrentKey,
  openPostStore,
  startPostThread,
  type KeyringUpdate,
  type ThreadState,
} from './post-thread.ts';
import { IntakeKeyRetired, type IntakeKey } from '../modules/privacy/intake-body.ts';

const ROLE = 'pagescope-webhook-intake';

/** The POSTs one turn of the server's event loop read: their bytes end to end in one transferred buffer. */
type Batch = {
  type: 'batch';
  seq: number;
  now: number;
  bytes: ArrayBuffer;
  ends: number[];
  sha256: (string | undefined)[];
  sha1: (string | undefined)[];
};
/** Per POST of a batch, null when it is stored, else why not; `commit` numbers the commit that carried the batch. */
type Answer = { seq: number; commit: number; rows: number; refusals: (Refusal | null)[] };

interface Waiting {
  raw: Buffer;
  headers: SignatureHeaders;
  resolve: (refusal: Refusal | null) => void;
}

export interface IntakeOptions {
  file: string;
  /**
   * The app database's count of writers waiting for its lock: each commit counts itself, so a processing turn of
   * this process ends and lets it in (an acknowledgement waits for this commit).
   */
  lockWaiters?: SharedArrayBuffer | null;
  keyring: Keyring;
  /** The intake key bodies are sealed under now (followed by the worker). */
  intakeKey: () => IntakeKey;
  appSecret: string | null;
  now: () => number;
  /** Called with each commit's size, once per commit (metrics). */
  onCommit?: (rows: number) => void;
  /** Called when the worker stops (it failed): the owner makes a new intake for later requests. */
  onStop?: () => void;
}

/** POSTs queued before they go to the worker without waiting for the end of the poll: it starts on them sooner. */
const SEND_EVERY = 8;

/** The server thread's side: queues POSTs, sends each turn's to the worker, and settles each with its answer. */
export class IntakeThread {
  readonly #worker: Worker;
  readonly #opts: IntakeOptions;
  readonly #waiting = new Map<number, Waiting[]>();
  #queue: Waiting[] = [];
  #seq = 0;
  #lastCommit = 0;
  readonly #followKeys: () => void;
  #stopped = false;
  /** Whether the worker can store yet (see startPostThread). */
  readonly threadState: () => ThreadState;

  constructor(opts: IntakeOptions) {
    this.#opts = opts;
    ({
      worker: this.#worker,
      followKeys: this.#followKeys,
      state: this.threadState,
    } = startPostThread(
      import.meta.url,
      opts.keyring,
      opts.intakeKey,
      { role: ROLE, file: opts.file, appSecret: opts.appSecret, lockWaiters: opts.lockWaiters ?? null },
      (a: Answer) => this.#answered(a),
    ));
    this.#worker.on('error', () => this.#stop('worker_error'));
    this.#worker.on('exit', () => this.#stop('worker_exit'));
    // Idle, the worker must not keep the process alive; it is held only while POSTs are waiting.
    this.#worker.unref();
  }

  /** Resolves with null once the POST is committed, or with why it was refused or could not be stored. */
  accept(raw: Buffer, headers: SignatureHeaders): Promise<Refusal | null> {
    if (this.#stopped) return Promise.resolve(storageRefusal('worker_stopped'));
    return new Promise((resolve) => {
      // setImmediate runs after the I/O phase, so the POSTs read in one poll go over together.
      const n = this.#queue.push({ raw, headers, resolve });
      if (n === 1) setImmediate(this.#send);
      else if (n >= SEND_EVERY) this.#send();
    });
  }

  readonly #send = (): void => {
    const items = this.#queue;
    this.#queue = [];
    if (items.length === 0 || this.#stopped) return this.#fail(items, 'worker_stopped');
    this.#followKeys();
    let size = 0;
    const ends = items.map((w) => (size += w.raw.length));
    // Its own ArrayBuffer (not a slice of node's pool), so it moves to the worker without a copy.
    const bytes = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const w of items) at += w.raw.copy(bytes, at);
    const seq = ++this.#seq;
    if (this.#waiting.size === 0) this.#worker.ref();
    this.#waiting.set(seq, items);
    const batch: Batch = {
      type: 'batch',
      seq,
      now: this.#opts.now(),
      bytes: bytes.buffer,
      ends,
      sha256: items.map((w) => w.headers.sha256),
      sha1: items.map((w) => w.headers.sha1),
    };
    this.#worker.postMessage(batch, [bytes.buffer]);
  };

  #answered(a: Answer): void {
    const items = this.#waiting.get(a.seq) ?? [];
    this.#waiting.delete(a.seq);
    if (this.#waiting.size === 0) this.#worker.unref();
    if (a.commit !== this.#lastCommit && a.rows > 0) this.#opts.onCommit?.(a.rows);
    this.#lastCommit = a.commit;
    items.forEach((w, i) => w.resolve(a.refusals[i] ?? null));
  }

  #fail(items: Waiting[], cause: string): void {
    for (const w of items) w.resolve(storageRefusal(cause));
  }

  #stop(cause: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const items of this.#waiting.values()) this.#fail(items, cause);
    this.#waiting.clear();
    this.#opts.onStop?.();
  }

  /** Stops the worker; POSTs still waiting for it are answered as not stored, so Meta retries them. */
  async close(): Promise<void> {
    this.#fail(this.#queue.splice(0), 'worker_stopped');
    this.#stop('worker_stopped');
    await this.#worker.terminate();
  }
}

/** Flushes of the WAL allowed at once; commits made meanwhile wait and go together into the next one. */
const FLUSHES_IN_FLIGHT = 4;

/**
 * The worker: decides each POST as the server's thread would and stores the taken ones, a group per commit. A commit
 * skips SQLite's own fsync (synchronous=NORMAL) and its batches are answered only once an fdatasync of the WAL that
 * began after it has ended, in the thread pool: the worker decides and writes the next group while the disk flushes
 * the last, and up to FLUSHES_IN_FLIGHT flushes overlap.
 */
function serveIntake(
  file: string,
  appSecret: string | null,
  keys: KeyringTransfer,
  intakeKey: IntakeKey,
  lockWaiters: SharedArrayBuffer | null,
): void {
  // Without the app's count (a thread started alone), a count of its own: nobody reads it. When another process
  // holds the lock, the commit leaves its note beside the file, as the app's transactions do.
  const waiters = new WriteLockWaiters(lockWaiters ?? undefined, `${file}-waiting`);
  let keyring = Keyring.fromTransfer(keys);
  let intake = intakeKey;
  const { db, insert, holdKey } = openPostStore(file, 'NORMAL');
  const flushWal = walFlusher(file);
  const insertAll = db.transaction((rows: WebhookPostTable[]) => {
    for (const r of rows) insert(r);
    holdKey(intake.id);
  });
  // Its intake key was retired: batches wait for the current one, then are decided and sealed again.
  let awaitingKey = false;
  // Batches that arrive while a commit runs, or while the flushes are all taken, wait here and go in one commit.
  const waiting: Batch[] = [];
  let commits = 0;
  let flushing = 0;
  // A commit waiting for another process's lock: batches that arrive meanwhile wait for the next one.
  let committing = false;
  const answer = (
    batches: Batch[],
    decided: (Refusal | WebhookPostTable)[][],
    commit: number,
    rows: number,
    failed: Refusal | null,
  ) => {
    batches.forEach((b, i) => {
      const refusals = decided[i]!.map((d) => ('id' in d ? failed : d));
      parentPort!.postMessage({ seq: b.seq, commit, rows: failed ? 0 : rows, refusals } satisfies Answer);
    });
  };
  const commit = () => {
    if (committing || flushing >= FLUSHES_IN_FLIGHT || waiting.length === 0 || awaitingKey) return;
    const batches = waiting.splice(0);
    const rows: WebhookPostTable[] = [];
    const decided = batches.map((b) => {
      const body = Buffer.from(b.bytes);
      let start = 0;
      return b.ends.map((end, i): Refusal | WebhookPostTable => {
        const raw = body.subarray(start, end);
        start = end;
        const headers: SignatureHeaders = { sha256: b.sha256[i], sha1: b.sha1[i] };
        try {
          const a = acceptPost(keyring, intake, appSecret, raw, headers, b.now);
          if (!a.ok) return { outcome: a.outcome, code: a.code, message: a.message };
          rows.push(a.row);
          return a.row;
        } catch (err) {
          return storageRefusal(errorCode(err));
        }
      });
    });
    const n = ++commits;
    if (rows.length === 0) return answer(batches, decided, n, 0, null);
    // At once when the lock is free or a turn of this process holds it (the commit is made before whenLockFree
    // returns); when another process holds it, noted and tried every millisecond, with this thread's event loop free
    // to take the next batches meanwhile.
    committing = true;
    waiters
      .whenLockFree(db, () => waiters.whileWaiting(() => insertAll(rows)))
      .then(
        () => {
          committing = false;
          flushing++;
          flushWal()
            .then(
              () => answer(batches, decided, n, rows.length, null),
              (err: unknown) => answer(batches, decided, n, 0, storageRefusal(errorCode(err, 'flush_failed'))),
            )
            .finally(() => {
              flushing--;
              if (waiting.length > 0) setImmediate(commit);
            });
        },
        (err: unknown) => {
          committing = false;
          if (err instanceof IntakeKeyRetired) {
            waiting.unshift(...batches);
            awaitingKey = true;
            return askForCurrentKey();
          }
          answer(batches, decided, n, 0, storageRefusal(errorCode(err)));
          if (waiting.length > 0) setImmediate(commit);
        },
      );
  };
  parentPort!.on('message', (m: Batch | KeyringUpdate) => {
    if (m.type === 'keys') {
      keyring = Keyring.fromTransfer(m.keys);
      intake = m.intake;
      awaitingKey = false;
      setImmediate(commit);
    } else if (waiting.push(m) === 1) setImmediate(commit);
  });
  announceReady();
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const d = workerData as {
    file: string;
    appSecret: string | null;
    keys: KeyringTransfer;
    intake: IntakeKey;
    lockWaiters: SharedArrayBuffer | null;
  };
  serveIntake(d.file, d.appSecret, d.keys, d.intake, d.lockWaiters);
}
