// Webhook processing alone, as serve's processing thread runs it: stored deliveries of one message each from 256
// people, or BENCH_PROCESSING_PEOPLE (the modules' inbound hooks installed, the processing thread's claim size and turn length), the processor in
// a loop with no HTTP load. Prints events/s and the process's CPU time per event, which the machine's other load
// moves less than the rate; BENCH_PROCESSING_EVENTS sets the count (default 3,000, after 600 to warm up);
// BENCH_PROCESSING_PEOPLE how many people write (default 256; the warm-up then has one message from each at least);
// BENCH_PROFILE=FILE writes a CPU profile of the measured loop; BENCH_STATEMENTS=1 prints the SQLite statements' time per
// event, each statement's own (better-sqlite3's run, all and get timed), the commits' among them. It also prints what
// the process wrote toward the disk per event (Linux: /proc/self/io write_bytes), the checkpointer's writes among it.
// BENCH_WAL_PAGES=1 runs without checkpoints and prints, from the WAL's frames, the pages each table and index wrote
// per event (a page changed by a turn is one frame of its commit).
// Run: npm run bench -- processing    (BENCH_PROCESSING_SHARED=1: the shorter turns of a processor on the HTTP thread)
import SqliteDatabase from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { initialise, openApp } from '../src/app/bootstrap.ts';
import { installHooks, YIELDING_PROCESSING } from '../src/app/modules.ts';
import { registerPage } from '../src/modules/pages/register-page.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { receiveWebhook } from '../src/modules/ingest/receive-webhook.ts';
import { processPendingPosts } from '../src/modules/ingest/process-posts.ts';
import { createLogger } from '../src/lib/logger.ts';
import { checkpointWal } from '../src/db/wal.ts';
import { bytesWritten, signedMessage } from './support.ts';

const SECRET = 'bench-app-secret';
const PAGE = '1717527131834678';
const EVENTS = Number(process.env.BENCH_PROCESSING_EVENTS ?? 3000);
const PEOPLE = Number(process.env.BENCH_PROCESSING_PEOPLE ?? 256);
const options = process.env.BENCH_PROCESSING_SHARED ? {} : YIELDING_PROCESSING;

/** CPU seconds this process's main thread (the one processing here) has used so far, from /proc (Linux). */
function mainThreadCpuSeconds(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Times every SQLite statement run while `on()` says so, by its SQL: better-sqlite3's run, all and get wrapped on the
 * statement prototype that every connection of this process shares. Returns the table of the slowest, per event.
 */
function timeStatements(on: () => boolean): (events: number) => string {
  const proto = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as Record<
    string,
    (this: SqliteDatabase.Statement, ...args: unknown[]) => unknown
  >;
  const spent = new Map<string, { ms: number; runs: number }>();
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method]!;
    proto[method] = function (this: SqliteDatabase.Statement, ...args: unknown[]) {
      if (!on()) return original.apply(this, args);
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const sql = this.source.replace(/\s+/g, ' ').slice(0, 110);
        const s = spent.get(sql) ?? { ms: 0, runs: 0 };
        s.ms += performance.now() - t;
        s.runs++;
        spent.set(sql, s);
      }
    };
  }
  return (events) => {
    const perEvent = (ms: number) => ((ms * 1000) / events).toFixed(1).padStart(6);
    const total = [...spent.values()].reduce((sum, s) => sum + s.ms, 0);
    const slowest = [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16);
    return [
      `${perEvent(total)} µs/event in all`,
      ...slowest.map(([sql, s]) => `${perEvent(s.ms)} µs/event ${String(s.runs).padStart(7)} runs  ${sql}`),
    ].join('\n');
  };
}

let measuring = false;
const statements = process.env.BENCH_STATEMENTS ? timeStatements(() => measuring) : null;
const walPages = Boolean(process.env.BENCH_WAL_PAGES);

/**
 * The WAL's frames by the table or index their page belongs to (dbstat of the database as it now is), per event: a
 * frame is a page image one commit wrote, so this is what each B-tree costs the log, and then the checkpoint.
 */
function walPagesPerEvent(file: string, events: number): string {
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const frames = new Map<number, number>();
  let total = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    frames.set(page, (frames.get(page) ?? 0) + 1);
    total++;
  }
  const db = new SqliteDatabase(file, { readonly: true });
  const owner = new Map(
    (db.prepare('select name, pageno from dbstat').all() as { name: string; pageno: number }[]).map((r) => [
      r.pageno,
      r.name,
    ]),
  );
  db.close();
  const byName = new Map<string, number>();
  for (const [page, n] of frames) {
    const name = owner.get(page) ?? '(free or new)';
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  const perEvent = (n: number) => (n / events).toFixed(2).padStart(6);
  return [
    `${perEvent(total)} pages/event in all (${pageSize}-byte pages)`,
    ...[...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([name, n]) => `${perEvent(n)} pages/event  ${name}`),
  ].join('\n');
}

/** A CPU profile of the processing loop alone (BENCH_PROFILE=file.cpuprofile), for Chrome's DevTools. */
async function startProfile(): Promise<{ stop: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-processing-'));
const config = loadConfig({
  PAGESCOPE_DATA_DIR: dir,
  META_APP_SECRET: SECRET,
  META_VERIFY_TOKEN: 'v',
  LOG_LEVEL: 'warn',
});
await initialise(config, { logger: createLogger('warn') });
const ctx = await openApp(config, {
  logger: createLogger('warn'),
  // As serve's processing runs: WAL checkpoints in a thread of their own.
  walCheckpoints: walPages ? 'elsewhere' : 'thread',
});
try {
  installHooks(ctx);
  await registerPage(ctx, cliActor, { id: PAGE, name: 'Bench', access_token: 'bench-page-token' });
  let n = 0;
  /** Stores `count` signed deliveries through the product's receive path, 500 at a time. */
  const store = async (count: number) => {
    for (let i = 0; i < count; i += 500)
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, () => {
          const k = n++;
          const { raw, signature } = signedMessage(PAGE, SECRET, k, PEOPLE, `m_proc_${k}_${process.pid}`);
          return receiveWebhook(ctx, Buffer.from(raw), { sha256: signature });
        }),
      );
  };
  // Warm-up: the contacts exist, their keys are made, the statements are prepared.
  for (let warmed = 0; warmed < Math.max(600, PEOPLE); warmed += 10_000) {
    await store(Math.min(10_000, Math.max(600, PEOPLE) - warmed));
    while ((await processPendingPosts(ctx, options)) > 0);
  }
  await store(EVENTS);
  // Only the measured turns' frames in the log (processing drops it once it finds nothing to do: stop before that).
  if (walPages) await checkpointWal(ctx.database);
  const load = loadavg()[0]!;
  const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
  const cpu = process.cpuUsage();
  const threadCpu = mainThreadCpuSeconds();
  const written = bytesWritten();
  const started = performance.now();
  measuring = true;
  if (walPages)
    for (let claimed = 0, n = -1; claimed < EVENTS && n !== 0; claimed += n)
      n = await processPendingPosts(ctx, options);
  else while ((await processPendingPosts(ctx, options)) > 0);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const threadUsed = mainThreadCpuSeconds() - threadCpu;
  const kibPerEvent = (bytesWritten() - written) / 1024 / EVENTS;
  measuring = false;
  if (profiler) await profiler.stop(process.env.BENCH_PROFILE!);
  if (walPages)
    console.log(`WAL frames while processing, by table and index:\n${walPagesPerEvent(ctx.database.file!, EVENTS)}`);
  if (statements) console.log(`SQLite statements while processing, slowest first:\n${statements(EVENTS)}`);
  console.log(
    `webhook processing alone, ${PEOPLE.toLocaleString('en')} people (${process.env.BENCH_PROCESSING_SHARED ? 'turns of a processor on the HTTP thread' : "serve's processing thread's turns"}): ${EVENTS} events in ${seconds.toFixed(2)} s, ${(EVENTS / seconds).toFixed(0)} events/s; CPU ${((used.user + used.system) / EVENTS).toFixed(0)} µs per event (all threads), ${((threadUsed * 1e6) / EVENTS).toFixed(0)} µs on the processing thread; ${kibPerEvent.toFixed(1)} KiB written to disk per event; load average ${load.toFixed(1)}`,
  );
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
}
