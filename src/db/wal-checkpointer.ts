// SQLite's WAL checkpoints in a thread of their own. By default SQLite copies the WAL into the database file inside
// the commit that takes the WAL past 1,000 pages: every few turns the processor's commit also writes (and syncs) some
// megabytes into the database file, and that time is lost to processing. Here the committing connections raise that
// threshold to a backstop, and this thread runs passive checkpoints (which never block a writer or a reader) from a
// connection of its own: within a second of frames waiting, and one after another until none is left.
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { startModuleWorker } from '../lib/module-worker.ts';

const ROLE = 'pagescope-wal-checkpointer';

/**
 * The WAL size (in pages) at which a committing connection checkpoints on its own after all: only reached when the
 * checkpointer cannot keep up or is not running (about 100 MB of 4 KiB pages).
 */
export const BACKSTOP_PAGES = 25_000;

/**
 * How long the thread waits between looks once it has copied every frame, and while frames are left. A checkpoint
 * writes each page that changed since the one before once, wherever in the file it lies: a page that many commits
 * change (an index's last page, a busy conversation, a frequent search word) is written once a second instead of ten
 * times. Measured on a backlog of 30,000 messages (`npm run bench -- processing`), KiB written an event: 16.4–16.6
 * at 100 ms, 13.1 at 500 ms, 11.7–12.1 at 1 s, 11.8 at 2 and 4 s. The WAL holds about a second of commits more.
 */
const IDLE_MS = 1000;
const BUSY_MS = 10;

type FromThread = { type: 'progress'; log: number; checkpointed: number } | { type: 'stopped' };

export interface WalCheckpointer {
  /** Resolves once a checkpoint that began after this call has copied every frame it found. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the checkpointer thread for the SQLite database at `file` (it must exist). */
export function startWalCheckpointer(file: string): WalCheckpointer {
  const worker: Worker = startModuleWorker(import.meta.url, { role: ROLE, file });
  worker.unref();
  let waiting: (() => void)[] = [];
  let asked = false;
  let exited = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (m: FromThread) => {
      if (m.type === 'stopped') return resolve();
      // A report that began after the question was asked (the first one after it) and found nothing left to copy.
      if (m.log === m.checkpointed && !asked) {
        const done = waiting;
        waiting = [];
        for (const w of done) w();
      }
      asked = false;
    });
    worker.on('exit', () => {
      exited = true;
      for (const w of waiting) w();
      resolve();
    });
  });
  // A failing thread (the file removed under it, say) only costs the background checkpoints: commits still checkpoint
  // at the backstop.
  worker.on('error', () => {});
  return {
    caughtUp: () =>
      exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            asked = true;
            waiting.push(resolve);
          }),
    close: async () => {
      if (!exited) worker.postMessage({ type: 'stop' });
      await stopped;
    },
  };
}

/** The thread: a passive checkpoint whenever the WAL holds frames not yet copied, reported to the owner. */
function runThread(file: string): void {
  const port = parentPort!;
  const db = new SqliteDatabase(file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    let pause = IDLE_MS;
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      if (r && (r.busy !== 0 || r.checkpointed < r.log)) pause = BUSY_MS;
      if (r) port.postMessage({ type: 'progress', log: r.log, checkpointed: r.checkpointed } satisfies FromThread);
    } catch {
      pause = IDLE_MS;
    }
    timer = setTimeout(tick, pause);
  };
  port.on('message', (m: { type: 'stop' }) => {
    if (m.type !== 'stop') return;
    if (timer) clearTimeout(timer);
    db.close();
    port.postMessage({ type: 'stopped' } satisfies FromThread);
    port.close();
  });
  tick();
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE)
  runThread((workerData as { file: string }).file);
