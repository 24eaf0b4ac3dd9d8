// The webhook spool (SQLite). A taken POST is acknowledged as soon as it is in the spool: a ring file of encrypted
// records, written with O_DSYNC (each write returns once it is on disk, the file never changes size, so no metadata
// has to be journaled) by the server's thread through libuv's pool, the POSTs that arrive together in one record.
// A worker thread of lower priority then moves each record into webhook_posts, with the spool's progress in the
// same transaction, so a restart moves every record exactly once; the processor takes it from there.
//
// Record: magic (4) ‖ sealed length (4) ‖ seq (8, float64) ‖ keyring.encryptBytes(plain) bound to the seq. Plain:
// count (4) ‖ received_at (8) ‖ per POST: signature digest (64 hex) ‖ body length (4) ‖ body. A record never wraps:
// one that does not fit before the end of the ring starts at 0. Records are acknowledged in seq order, so at a
// restart nothing from the first record that is missing or does not decrypt onwards was ever acknowledged.
//
// A record is wiped (zeroed in place) by the mover once its move is committed, before its bytes may be reused, and
// at open every byte outside the records still to move is zeroed: the ring holds a POST only until it is in the
// database, so an erasure (or the raw-body retention) has no copy here to miss.
import {
  closeSync,
  constants as fsc,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import { Keyring, type KeyringTransfer } from '../crypto/index.ts';
import { errorCode } from '../errors.ts';
import { takePidLock } from '../lib/pid-lock.ts';
import type { SignatureHeaders } from '../platform/index.ts';
import { checkPost, postRow, signatureDigest, storageRefusal, type Refusal } from '../modules/ingest/accept-post.ts';
import {
  announceReady,
  askForCurrentKey,
  openPostStore,
  startPostThread,
  type KeyringUpdate,
  type ThreadState,
} from './post-thread.ts';
import { IntakeKeyRetired, type IntakeKey } from '../modules/privacy/intake-body.ts';

const ROLE = 'pagescope-webhook-spool-mover';
const MAGIC = 0x70737031; // "psp1"
const HEADER = 16;
const SEALED_OVERHEAD = 4 + 12 + 16; // key version, nonce, tag
const DIGEST = 64;
/** Record writes on their way to disk at once: their flushes overlap. */
const WRITES_IN_FLIGHT = 4;
/** The mover's priority: below the server's thread, so moving never delays an acknowledgement. */
const MOVER_NICE = 10;
const RETRY_MS = [100, 1000, 5000, 30_000];

const recordContext = (seq: number) => ({ table: 'webhook_spool', column: 'record', pageId: null, rowId: String(seq) });

/** A record to move: its bytes in plain, where the next record starts, and the ring bytes it frees once moved. */
type Move = { type: 'move'; seq: number; next: number; consumed: number; plain: ArrayBuffer };
type Moved = { type: 'moved'; consumed: number; rows: number } | { type: 'failed'; code: string };

interface Waiting {
  raw: Buffer;
  digest: string;
  resolve: (refusal: Refusal | null) => void;
}

interface Group {
  items: Waiting[];
  plain: Buffer;
  seq: number;
  next: number;
  consumed: number;
  state: 'writing' | 'written' | 'failed';
}

export interface SpoolOptions {
  dataDir: string;
  /** The SQLite database file the mover writes to. */
  file: string;
  bytes: number;
  keyring: Keyring;
  /** The intake key bodies are sealed under now (followed by the mover). */
  intakeKey: () => IntakeKey;
  appSecret: string | null;
  now: () => number;
  /** The last record moved and where the next one starts (the webhook_spool row), read before opening. */
  progress: { seq: number; position: number };
  /** Each record written (its POST count), each record moved (its rows), each failure to move (a code, never data). */
  onWritten?: (posts: number) => void;
  onMoved?: (rows: number) => void;
  onMoveFailed?: (code: string) => void;
}

const ringFile = (dataDir: string) => join(dataDir, 'webhook-spool.ring');

/** Paths of the spools open in this process: a second app on the same data dir stores its POSTs directly. */
const openHere = new Set<string>();

/** A record read back at start-up, as the mover takes it. */
type Recovered = Omit<Move, 'type' | 'plain'> & { plain: Buffer };

/** Reads the records written after `progress` and still valid, in order, and where the next record goes. */
function recover(
  fd: number,
  size: number,
  keyring: Keyring,
  progress: { seq: number; position: number },
): { records: Recovered[]; seq: number; position: number } {
  const records: Recovered[] = [];
  let seq = progress.seq;
  let position = progress.position;
  const header = Buffer.alloc(HEADER);
  const at = (offset: number): { plain: Buffer; length: number } | null => {
    if (offset + HEADER > size || readSync(fd, header, 0, HEADER, offset) !== HEADER) return null;
    const length = header.readUInt32LE(4);
    if (header.readUInt32LE(0) !== MAGIC || header.readDoubleLE(8) !== seq + 1 || offset + HEADER + length > size)
      return null;
    const sealed = Buffer.alloc(length);
    if (readSync(fd, sealed, 0, length, offset + HEADER) !== length) return null;
    try {
      return { plain: keyring.decryptBytes(sealed, recordContext(seq + 1)), length: HEADER + length };
    } catch {
      return null;
    }
  };
  for (;;) {
    let offset = position;
    let found = at(offset);
    if (!found && offset !== 0) found = at((offset = 0));
    if (!found) break;
    seq++;
    const consumed = (offset === position ? 0 : size - position) + found.length;
    position = offset + found.length;
    records.push({ seq, plain: found.plain, next: position, consumed });
  }
  return { records, seq, position };
}

const recordLength = (plainBytes: number) => HEADER + SEALED_OVERHEAD + plainBytes;

/**
 * Zeroes every byte of the ring outside the records still to move (what a crash between a move and its wipe, or a
 * version that did not wipe, left behind), reading it a MiB at a time through libuv's pool (a 64 MiB ring takes
 * 0.1–0.4 s, and the event loop goes on meanwhile) and writing only where something is left.
 */
async function wipeMoved(path: string, size: number, unmoved: readonly Recovered[]): Promise<void> {
  const keep = unmoved.map((r) => [r.next - recordLength(r.plain.length), r.next] as const);
  const chunk = Buffer.alloc(1 << 20);
  const zeros = Buffer.alloc(1 << 20);
  const file = await open(path, fsc.O_RDWR);
  try {
    let wrote = false;
    for (let at = 0; at < size; at += chunk.length) {
      const { bytesRead: n } = await file.read(chunk, 0, Math.min(chunk.length, size - at), at);
      let from = at;
      const wipe = async (to: number) => {
        if (to > from && !chunk.subarray(from - at, to - at).equals(zeros.subarray(0, to - from))) {
          await file.write(zeros, 0, to - from, from);
          wrote = true;
        }
      };
      for (const [start, end] of keep) {
        if (end <= from || start >= at + n) continue;
        await wipe(Math.max(from, start));
        from = Math.min(at + n, end);
      }
      await wipe(at + n);
    }
    if (wrote) await file.datasync();
  } finally {
    await file.close();
  }
}

/** The server thread's side: checks each POST, writes each turn's POSTs as one record, answers once it is on disk. */
export class WebhookSpool {
  readonly #opts: SpoolOptions;
  readonly #size: number;
  readonly #file: FileHandle;
  readonly #mover: Worker;
  readonly #lockPath: string;
  readonly #ringPath: string;
  #queue: Waiting[] = [];
  readonly #groups: Group[] = [];
  #seq: number;
  #head: number;
  /** Ring bytes written and not yet moved (records and the skipped ends of laps). */
  #unmoved = 0;
  readonly #followKeys: () => void;
  #stopped = false;
  #closing = false;
  #settledWaiters: (() => void)[] = [];
  /** Called once no record write is on its way to disk (the descriptor may be closed then). */
  #writesDone: (() => void)[] = [];
  readonly #recovered: number;
  /** Whether the mover can store yet (see startPostThread). */
  readonly threadState: () => ThreadState;

  private constructor(
    opts: SpoolOptions,
    size: number,
    file: FileHandle,
    ringPath: string,
    lockPath: string,
    recovered: ReturnType<typeof recover>,
  ) {
    this.#opts = opts;
    this.#size = size;
    this.#file = file;
    this.#ringPath = ringPath;
    this.#lockPath = lockPath;
    this.#seq = recovered.seq;
    this.#head = recovered.position;
    this.#recovered = recovered.records.length;
    ({
      worker: this.#mover,
      followKeys: this.#followKeys,
      state: this.threadState,
    } = startPostThread(
      import.meta.url,
      opts.keyring,
      opts.intakeKey,
      { role: ROLE, file: opts.file, ring: ringPath },
      (m: Moved) => this.#moved(m),
    ));
    this.#mover.on('error', () => this.#stop());
    this.#mover.on('exit', () => this.#stop());
    this.#mover.unref();
    // Copied into buffers of their own: a decrypted buffer may share node's pool, which must not move to the mover.
    for (const r of recovered.records)
      this.#sendToMover(
        r.seq,
        Buffer.from(r.plain.buffer.slice(r.plain.byteOffset, r.plain.byteOffset + r.plain.length)),
        r.next,
        r.consumed,
      );
  }

  /**
   * Opens the spool in the data dir: makes the ring file (zero-filled once, so writes never grow it), moves what a
   * previous run acknowledged and did not move, and starts the mover. Null when another live process holds it.
   */
  static async open(opts: SpoolOptions): Promise<WebhookSpool | null> {
    const ringPath = ringFile(opts.dataDir);
    const lockPath = join(opts.dataDir, 'webhook-spool.lock');
    // The lock names this process (pid and start time), so a spool left by a process that died is taken over.
    if (openHere.has(ringPath) || !takePidLock(lockPath).ok) return null;
    openHere.add(ringPath);
    try {
      const fd = openSync(ringPath, fsc.O_RDWR | fsc.O_CREAT, 0o600);
      let recovered: ReturnType<typeof recover>;
      let size = opts.bytes;
      try {
        const existing = fstatSync(fd).size;
        recovered =
          existing > 0
            ? recover(fd, existing, opts.keyring, opts.progress)
            : { records: [], seq: opts.progress.seq, position: 0 };
        if (existing !== opts.bytes && recovered.records.length > 0) {
          // Records left in a ring of another size are moved from it first; the new size applies at the next start.
          size = existing;
        } else if (existing !== opts.bytes) {
          // Nothing left to move: the next record starts the new ring at 0 (what is there is older, and is skipped).
          ftruncateSync(fd, Math.min(existing, opts.bytes));
          const zeros = Buffer.alloc(Math.min(1 << 20, opts.bytes));
          for (let at = Math.min(existing, opts.bytes); at < opts.bytes; at += zeros.length)
            writeSync(fd, zeros, 0, Math.min(zeros.length, opts.bytes - at), at);
          fsyncSync(fd);
          recovered.position = 0;
        }
      } finally {
        closeSync(fd);
      }
      await wipeMoved(ringPath, size, recovered.records);
      const file = await open(ringPath, fsc.O_RDWR | fsc.O_DSYNC);
      const spool = new WebhookSpool(opts, size, file, ringPath, lockPath, recovered);
      spool.#unmoved = recovered.records.reduce((a, r) => a + r.consumed, 0);
      return spool;
    } catch (err) {
      openHere.delete(ringPath);
      throw err;
    }
  }

  /** Whether the data dir holds a spool's ring (a process that only moves what is left never makes one). */
  static ringExists(dataDir: string): boolean {
    return existsSync(ringFile(dataDir));
  }

  /** Records found at open that an earlier run answered and did not move (they are being moved now). */
  get recoveredRecords(): number {
    return this.#recovered;
  }

  /** Ring bytes answered (or being written) and not yet moved into the database. */
  get unmovedBytes(): number {
    return this.#unmoved;
  }

  /** The ring's size in bytes. */
  get sizeBytes(): number {
    return this.#size;
  }

  /** True once a write failed or the mover stopped: later POSTs are stored without the spool. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves with null once the POST is on disk, or with why it was refused or could not be stored. */
  accept(raw: Buffer, headers: SignatureHeaders): Promise<Refusal | null> {
    const refusal = checkPost(this.#opts.appSecret, raw, headers);
    if (refusal) return Promise.resolve(refusal);
    if (this.#stopped || this.#closing) return Promise.resolve(storageRefusal('spool_stopped'));
    return new Promise((resolve) => {
      // setImmediate runs after the I/O phase, so the POSTs read in one poll go into one record.
      if (this.#queue.push({ raw, digest: signatureDigest(headers), resolve }) === 1) setImmediate(this.#write);
    });
  }

  readonly #write = (): void => {
    if (this.#queue.length === 0) return;
    if (this.#stopped || this.#closing) return this.#refuse(this.#queue.splice(0), 'spool_stopped');
    if (this.#groups.filter((g) => g.state === 'writing').length >= WRITES_IN_FLIGHT) return;
    const size = this.#size;
    // A record holds at most an eighth of the ring, so no one turn's POSTs can hold up the ring's reuse.
    const limit = size / 8 - HEADER - SEALED_OVERHEAD - 12;
    let plainBytes = 12;
    let n = 0;
    while (n < this.#queue.length && (n === 0 || plainBytes + DIGEST + 4 + this.#queue[n]!.raw.length <= limit))
      plainBytes += DIGEST + 4 + this.#queue[n++]!.raw.length;
    const items = this.#queue.splice(0, n);
    if (this.#queue.length > 0) setImmediate(this.#write);
    const length = HEADER + SEALED_OVERHEAD + plainBytes;
    const offset = this.#head + length > size ? 0 : this.#head;
    const consumed = (offset === this.#head ? 0 : size - this.#head) + length;
    if (this.#unmoved + consumed > size) return this.#refuse(items, 'spool_full');
    // Its own ArrayBuffer, so it moves to the mover without a copy once the record is on disk.
    const plain = Buffer.allocUnsafeSlow(plainBytes);
    plain.writeUInt32LE(items.length, 0);
    plain.writeDoubleLE(this.#opts.now(), 4);
    let at = 12;
    for (const w of items) {
      at += plain.write(w.digest, at, DIGEST, 'latin1');
      plain.writeUInt32LE(w.raw.length, at);
      at += 4 + w.raw.copy(plain, at + 4);
    }
    this.#followKeys();
    const seq = ++this.#seq;
    const sealed = this.#opts.keyring.encryptBytes(plain, recordContext(seq));
    const record = Buffer.allocUnsafe(HEADER + sealed.length);
    record.writeUInt32LE(MAGIC, 0);
    record.writeUInt32LE(sealed.length, 4);
    record.writeDoubleLE(seq, 8);
    sealed.copy(record, HEADER);
    this.#head = offset + length;
    this.#unmoved += consumed;
    const group: Group = { items, plain, seq, next: this.#head, consumed, state: 'writing' };
    this.#groups.push(group);
    // The callback form on the handle's descriptor: the promise form adds a promise chain and the handle's own
    // bookkeeping to every record. The handle therefore cannot wait for these writes itself: close() does.
    write(this.#file.fd, record, 0, record.length, offset, (err, written) => {
      group.state = err || written !== record.length ? 'failed' : 'written';
      this.#acknowledge();
      if (!this.#groups.some((g) => g.state === 'writing')) for (const fn of this.#writesDone.splice(0)) fn();
      setImmediate(this.#write);
    });
  };

  /** Answers the records on disk, oldest first and only after every earlier one: a restart finds all it answered. */
  #acknowledge(): void {
    while (this.#groups.length > 0 && this.#groups[0]!.state !== 'writing') {
      const g = this.#groups.shift()!;
      if (g.state === 'failed' || this.#stopped) {
        // What follows a record that failed would not be found at a restart: the spool stops taking POSTs.
        this.#stop();
        this.#refuse(g.items, 'spool_write_failed');
        continue;
      }
      for (const w of g.items) w.resolve(null);
      this.#opts.onWritten?.(g.items.length);
      this.#sendToMover(g.seq, g.plain, g.next, g.consumed);
    }
  }

  #sendToMover(seq: number, plain: Buffer, next: number, consumed: number): void {
    this.#mover.ref();
    this.#mover.postMessage({ type: 'move', seq, next, consumed, plain: plain.buffer as ArrayBuffer } satisfies Move, [
      plain.buffer as ArrayBuffer,
    ]);
  }

  #moved(m: Moved): void {
    if (m.type === 'failed') return this.#opts.onMoveFailed?.(m.code);
    this.#unmoved -= m.consumed;
    this.#opts.onMoved?.(m.rows);
    if (this.#unmoved === 0) {
      this.#mover.unref();
      for (const fn of this.#settledWaiters.splice(0)) fn();
    }
  }

  #refuse(items: Waiting[], cause: string): void {
    for (const w of items) w.resolve(storageRefusal(cause));
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#refuse(this.#queue.splice(0), 'spool_stopped');
    for (const fn of this.#settledWaiters.splice(0)) fn();
  }

  /** Resolves once every record written so far is moved into the database (or the spool stopped). */
  settled(): Promise<void> {
    if (this.#unmoved === 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Stops taking POSTs, waits for the records written to be moved (up to `graceMs`), and releases the spool. */
  async close(graceMs = 5000): Promise<void> {
    this.#closing = true;
    this.#refuse(this.#queue.splice(0), 'spool_stopped');
    // Records still unmoved at the deadline stay in the ring; the next start moves them.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.#mover.terminate();
    // Writes go to the handle's descriptor directly, so the handle cannot wait for them itself.
    while (this.#groups.some((g) => g.state === 'writing')) await new Promise<void>((r) => this.#writesDone.push(r));
    await this.#file.close();
    openHere.delete(this.#ringPath);
    try {
      unlinkSync(this.#lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** The mover: stores each record's POSTs as deliveries and the spool's progress, in one transaction per turn. */
function serveMover(file: string, keys: KeyringTransfer, intakeKey: IntakeKey, ring: string): void {
  try {
    // Linux: a thread's own priority (0 names the calling thread). Where that is refused it runs at the default.
    setPriority(MOVER_NICE);
  } catch {
    // Not permitted here: moving still works, only at the server's priority.
  }
  let keyring = Keyring.fromTransfer(keys);
  let intake = intakeKey;
  const { db, insert, holdKey } = openPostStore(file, 'FULL');
  let zeros = Buffer.alloc(0);
  // Once a move is committed its records are zeroed, before the server may write over them. Not flushed: a crash
  // before the page cache reaches the disk leaves them for the wipe at the next open. The descriptor is opened for
  // each batch, as a terminated thread closes nothing.
  const wipe = (moves: Move[]) => {
    let fd: number | null = null;
    try {
      fd = openSync(ring, fsc.O_RDWR);
      for (const m of moves) {
        const length = recordLength(m.plain.byteLength);
        if (zeros.length < length) zeros = Buffer.alloc(length);
        writeSync(fd, zeros, 0, length, m.next - length);
      }
    } catch {
      // Left for the wipe at the next open; the move itself is done.
    } finally {
      if (fd !== null) closeSync(fd);
    }
    for (const m of moves) new Uint8Array(m.plain).fill(0);
  };
  // Prepared at the first move, inside its try, as the insert is.
  let progress: SqliteDatabase.Statement | null = null;
  const moveAll = db.transaction((moves: Move[]) => {
    let rows = 0;
    for (const m of moves) {
      const plain = Buffer.from(m.plain);
      const count = plain.readUInt32LE(0);
      const now = plain.readDoubleLE(4);
      let at = 12;
      for (let i = 0; i < count; i++) {
        const digest = plain.toString('latin1', at, at + DIGEST);
        const length = plain.readUInt32LE(at + DIGEST);
        at += DIGEST + 4;
        insert(postRow(keyring, intake, plain.subarray(at, at + length), digest, now));
        at += length;
        rows++;
      }
    }
    holdKey(intake.id);
    const last = moves[moves.length - 1]!;
    progress ??= db.prepare(`insert into webhook_spool (id, seq, position, updated_at) values (1, ?, ?, ?)
      on conflict (id) do update set seq = excluded.seq, position = excluded.position, updated_at = excluded.updated_at`);
    progress.run(last.seq, last.next, Date.now());
    return rows;
  });
  const waiting: Move[] = [];
  let failures = 0;
  let retrying = false;
  // Its intake key was retired: the records wait for the current one, then are sealed again and moved.
  let awaitingKey = false;
  const move = () => {
    if (waiting.length === 0 || retrying || awaitingKey) return;
    const moves = waiting.slice();
    try {
      const rows = moveAll(moves);
      waiting.splice(0, moves.length);
      failures = 0;
      wipe(moves);
      parentPort!.postMessage({
        type: 'moved',
        consumed: moves.reduce((a, m) => a + m.consumed, 0),
        rows,
      } satisfies Moved);
    } catch (err) {
      if (err instanceof IntakeKeyRetired) {
        awaitingKey = true;
        return askForCurrentKey();
      }
      // Nothing is lost: the records stay here and in the ring; moving is tried again, later each time.
      parentPort!.postMessage({ type: 'failed', code: errorCode(err) } satisfies Moved);
      retrying = true;
      setTimeout(
        () => {
          retrying = false;
          move();
        },
        RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)],
      );
    }
  };
  parentPort!.on('message', (m: Move | KeyringUpdate) => {
    if (m.type === 'keys') {
      keyring = Keyring.fromTransfer(m.keys);
      intake = m.intake;
      awaitingKey = false;
      setImmediate(move);
    } else if (waiting.push(m) === 1) setImmediate(move);
  });
  announceReady();
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const d = workerData as { file: string; keys: KeyringTransfer; intake: IntakeKey; ring: string };
  serveMover(d.file, d.keys, d.intake, d.ring);
}
