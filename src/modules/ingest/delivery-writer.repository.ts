// The SQLite side of the webhook group commit, in a worker thread: better-sqlite3 is synchronous, so a commit's
// fsync on the main thread would stop every request for its duration. Here the main thread keeps parsing and
// verifying the next requests while the previous group is being made durable.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';

const ROLE = 'pagescope-delivery-writer';
type Request = { seq: number; rows: Pick<WebhookDeliveryTable, 'id' | 'received_at' | 'body_hash' | 'body_enc'>[] };
/** `commit` numbers the writer's commits and `rows` is that commit's size, so the caller can observe each commit once. */
type Answer = { seq: number; commit: number; rows: number; error?: string };

/** Writes groups of deliveries through its own connection (WAL, synchronous=FULL) in a worker thread. */
export class SqliteDeliveryWriter {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #seq = 0;

  #lastCommit = 0;

  constructor(file: string, private readonly onCommit?: (rows: number) => void) {
    // The worker loads this same module; Node 20 does not carry `--import tsx` into workers, so it registers tsx first.
    const entry = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    this.#worker = new Worker(entry, { eval: true, workerData: { role: ROLE, file } });
    this.#worker.on('message', (a: Answer) => {
      const w = this.#waiting.get(a.seq);
      this.#waiting.delete(a.seq);
      if (this.#waiting.size === 0) this.#worker.unref();
      if (a.commit !== this.#lastCommit && a.error === undefined) this.onCommit?.(a.rows);
      this.#lastCommit = a.commit;
      if (a.error !== undefined) w?.reject(new Error(`delivery writer: ${a.error}`));
      else w?.resolve();
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', () => this.#failAll(new Error('delivery writer stopped')));
    // Idle, the writer must not keep the process alive; it is held only while writes are waiting.
    this.#worker.unref();
  }

  #failAll(err: Error): void {
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }

  /** Inserts the rows in one transaction; resolves after the commit. */
  write(rows: WebhookDeliveryTable[]): Promise<void> {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) this.#worker.ref();
      this.#waiting.set(seq, { resolve, reject });
      this.#worker.postMessage({ seq, rows: rows.map((r) => ({ id: r.id, received_at: r.received_at, body_hash: r.body_hash, body_enc: r.body_enc })) } satisfies Request);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

function serveWrites(file: string): void {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(
    `insert into webhook_deliveries (id, received_at, body_hash, body_enc, status, attempts) values (?, ?, ?, ?, 'pending', 0)`,
  );
  const insertAll = db.transaction((rows: Request['rows']) => {
    for (const r of rows) insert.run(r.id, r.received_at, r.body_hash, r.body_enc);
  });
  // Requests that arrive while a commit runs wait in the port; they are then written together by one commit.
  const waiting: Request[] = [];
  let commits = 0;
  const commit = () => {
    const requests = waiting.splice(0);
    const rows = requests.length === 1 ? requests[0]!.rows : requests.flatMap((r) => r.rows);
    commits++;
    try {
      insertAll(rows);
      for (const { seq } of requests) parentPort!.postMessage({ seq, commit: commits, rows: rows.length } satisfies Answer);
    } catch (err) {
      const error = String((err as { code?: string }).code ?? (err as Error).name);
      for (const { seq } of requests) parentPort!.postMessage({ seq, commit: commits, rows: rows.length, error } satisfies Answer);
    }
  };
  parentPort!.on('message', (request: Request) => {
    if (waiting.push(request) === 1) setImmediate(commit);
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) serveWrites((workerData as { file: string }).file);
