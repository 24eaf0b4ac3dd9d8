// The ingest benchmark's main figure: the real `serve` (all roles, the bin as a user runs it, on a data dir of its
// own) under sustained webhook load, beside a bare HMAC node:http server measured in the same run; and, as a
// breakdown, `serve --role web` (nothing processed) loaded the same way.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { runWrk, webhookReplayScript, wrkAvailable, type WrkRun } from './wrk.ts';
import { benchServeEnv, bytesWritten, signedMessage } from './support.ts';
import { buildState } from '../bin/build-state.js';
import { runCliOk, startServe as startServeReady } from '../test/support/cli.ts';

type AutocannonResult = { requests: { average: number; total: number }; latency: { p99: number }; non2xx: number };
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: Record<string, unknown>,
) => Promise<AutocannonResult>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Distinct people writing in: the processor meets each one's contact again and again, as with real traffic. */
const PSIDS = 256;

export interface ServeOptions {
  secret: string;
  page: string;
  connections: number;
  seconds: number;
}

/** One signed message body from one of PSIDS people, numbered so no two are alike. */
let n = 0;
function body(page: string, secret: string): { raw: string; signature: string } {
  const i = n++;
  return signedMessage(page, secret, i, PSIDS, `m_serve_${i}_${process.pid}`);
}

/** A wrk script replaying `count` fresh signed bodies (more than one window sends: none is a repeat). */
function wrkScript(dir: string, count: number, o: ServeOptions, rate = 0): string {
  return webhookReplayScript(
    dir,
    `webhook-${n}`,
    Array.from({ length: count }, () => body(o.page, o.secret)),
    rate,
  );
}

/** Sustained load at full speed: wrk with fresh bodies when installed, else autocannon signing each one. */
async function fullLoad(dir: string, port: number, o: ServeOptions, seconds: number, bodies: number): Promise<WrkRun> {
  if (wrkAvailable) {
    const script = wrkScript(dir, bodies, o);
    return runWrk({ url: `http://127.0.0.1:${port}/webhook`, script, connections: o.connections, seconds });
  }
  return rateLoad(port, o, seconds, 0);
}

/**
 * Load at a fixed overall rate: wrk drawing one paced stream of arrivals when installed (a load generator in C leaves the two
 * cores to the server, where autocannon, signing each body in node, took as much CPU as a bare server at that rate
 * and its own event loop's delays showed in every p99), else autocannon's rate limit.
 */
async function pacedLoad(dir: string, port: number, o: ServeOptions, seconds: number, rate: number): Promise<WrkRun> {
  if (wrkAvailable) {
    const script = wrkScript(dir, Math.ceil(rate * seconds * 1.2) + 1000, o, rate);
    return runWrk({ url: `http://127.0.0.1:${port}/webhook`, script, connections: o.connections, seconds });
  }
  return rateLoad(port, o, seconds, rate);
}

/** Load at a fixed overall rate (0: as fast as it goes), from autocannon. */
async function rateLoad(port: number, o: ServeOptions, seconds: number, rate: number): Promise<WrkRun> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: o.connections,
    duration: seconds,
    ...(rate > 0 && { overallRate: rate }),
    requests: [
      {
        method: 'POST',
        path: '/webhook',
        setupRequest: (req: Record<string, unknown>) => {
          const b = body(o.page, o.secret);
          return {
            ...req,
            body: b.raw,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
          };
        },
      },
    ],
  });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, total: r.requests.total, errors: 0 };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The figures of one metric line (sum over its labels), from a /metrics text. */
function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The cumulative counts of a histogram's buckets in a scrape, by upper bound (`+Inf` last). */
function buckets(text: string, name: string): Map<number, number> {
  const counts = new Map<number, number>();
  const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const m = bucket.exec(line);
    if (m) counts.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return counts;
}

/**
 * The server thread's event-loop stalls between two scrapes, from `pagescope_event_loop_stall_seconds` (the longest
 * stall of each second): the bucket bound the longest of them stayed within, and the seconds that had one over 50 ms.
 */
function stallsBetween(
  before: string,
  after: string,
): { longestWithinMs: number; secondsOver50ms: number; seconds: number } {
  const name = 'pagescope_event_loop_stall_seconds';
  const b = buckets(before, name);
  const a = buckets(after, name);
  const seconds = (a.get(Infinity) ?? 0) - (b.get(Infinity) ?? 0);
  const within = [...a.keys()].sort((x, y) => x - y).find((le) => a.get(le)! - (b.get(le) ?? 0) === seconds);
  return {
    longestWithinMs: (within ?? Infinity) * 1000,
    secondsOver50ms: seconds - (a.get(0.05)! - (b.get(0.05) ?? 0)),
    seconds,
  };
}

/**
 * Which parts the measured serve runs: `all`, as users run it, or `web` (the webhook route, the spool and its mover,
 * nothing processed), the breakdown that shows what processing beside the acknowledgements costs them.
 */
export type ServeRole = 'all' | 'web';

/** `pagescope init`, a Page, and `pagescope serve --role <role>` on a fresh data dir; resolves once /readyz is 200. */
async function startServe(
  dir: string,
  o: ServeOptions,
  role: ServeRole,
): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const dataDir = join(dir, 'data');
  const env = {
    ...benchServeEnv(dataDir, o.secret),
    // The processing thread's priority can be set for a run (PAGESCOPE_PROCESSING_NICE=0 on a machine other jobs load).
    ...(process.env.PAGESCOPE_PROCESSING_NICE !== undefined && {
      PAGESCOPE_PROCESSING_NICE: process.env.PAGESCOPE_PROCESSING_NICE,
    }),
  };
  await runCliOk(['init', '--json'], env, '');
  await runCliOk(
    ['pages', 'add', '--id', o.page, '--name', 'Bench', '--token', 'bench-page-token', '--no-verify'],
    env,
    '',
  );
  const { url, child } = await startServeReady(env, 60_000, ['--role', role]);
  return { url, child, dataDir };
}

export interface ServeFigures {
  acks: number;
  p99: number;
  non2xx: number;
  cpuUsPerAck: number;
  processedPerS: number;
  processedInWindow: number;
  backlog: number;
  drainS: number;
  drainPerS: number;
  /** The server's CPU time (all threads) per event applied while it drained the backlog with no load. */
  drainCpuUsPerEvent: number;
  /** What the server sent toward the disk (all threads) per event applied while it drained, in KiB. */
  drainKibPerEvent: number;
  /** The longest stall of the server thread's event loop since start (start-up included). */
  stallMs: number;
  /** The same in the sustained window only: the histogram bucket it stayed within, and the seconds over 50 ms. */
  windowStall: { longestWithinMs: number; secondsOver50ms: number; seconds: number };
  /** The machine's 1-minute load average when the sustained window began and when the drain ended. */
  loadBefore: number;
  loadAfter: number;
  halfRate: number;
  /** The rate the paced load sent (under `halfRate` only when no connection was free when an arrival was due). */
  halfAchieved: number;
  halfP99: number;
  halfNon2xx: number;
}

/**
 * Measures the real serve: a warm-up, a sustained window at `connections` (acks/s, p99, CPU per ack, events
 * processed meanwhile), the backlog left and the time to drain it, the longest event-loop stall of the server
 * thread, and p99 at half the rate reached (rate-limited load).
 */
export async function measureServe(o: ServeOptions, role: ServeRole = 'all'): Promise<ServeFigures> {
  // What users run is the compiled dist/: built first when src/ changed since (as the tests do).
  if (buildState() !== 'fresh')
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-serve-'));
  const { url, child, dataDir } = await startServe(dir, o, role);
  const port = Number(new URL(url).port);
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  const db = new SqliteDatabase(join(dataDir, 'pagescope.db'), { readonly: true });
  const pendingRows = db.prepare(`select count(*) as n from webhook_posts where status = 'pending'`);
  // With nothing processed (`--role web`), the backlog is what the spool still holds.
  const backlog = async () =>
    (role === 'all' ? (pendingRows.get() as { n: number }).n : 0) +
    (metric(await metrics(), 'pagescope_webhook_spool_unmoved_bytes') > 0 ? 1 : 0);
  const drain = async () => {
    const t = Date.now();
    while ((await backlog()) > 0) await new Promise((r) => setTimeout(r, 50));
    return (Date.now() - t) / 1000;
  };
  try {
    const warm = await fullLoad(dir, port, o, 2, 20_000);
    await drain();
    const before = await metrics();
    const loadBefore = loadavg()[0]!;
    const cpu0 = cpuSeconds(child.pid!);
    // Fresh bodies throughout (a repeat would be set aside as a duplicate, which costs the processor less).
    const run = await fullLoad(dir, port, o, o.seconds, Math.ceil(warm.rps * o.seconds * 1.5) + 10_000);
    const cpuUsPerAck = ((cpuSeconds(child.pid!) - cpu0) / run.total) * 1e6;
    const after = await metrics();
    const windowStall = stallsBetween(before, after);
    const processed =
      metric(after, 'pagescope_events_processed_total') - metric(before, 'pagescope_events_processed_total');
    const left = (pendingRows.get() as { n: number }).n;
    const drainCpu0 = cpuSeconds(child.pid!);
    const drainWritten0 = bytesWritten(child.pid!);
    const processedBefore = metric(await metrics(), 'pagescope_events_processed_total');
    const drainS = await drain();
    const drained = metric(await metrics(), 'pagescope_events_processed_total') - processedBefore;
    const drainCpuUsPerEvent = drained > 0 ? ((cpuSeconds(child.pid!) - drainCpu0) / drained) * 1e6 : 0;
    const drainKibPerEvent = drained > 0 ? (bytesWritten(child.pid!) - drainWritten0) / 1024 / drained : 0;
    const loadAfter = loadavg()[0]!;
    const stallMs = metric(await metrics(), 'pagescope_event_loop_stall_max_seconds') * 1000;
    const halfRate = Math.round(run.rps / 2);
    const half = await pacedLoad(dir, port, o, o.seconds, halfRate);
    await drain();
    return {
      acks: run.rps,
      p99: run.p99,
      non2xx: run.non2xx,
      cpuUsPerAck,
      processedPerS: processed / o.seconds,
      processedInWindow: processed,
      backlog: left,
      drainS,
      drainPerS: drainS > 0 ? left / drainS : 0,
      drainCpuUsPerEvent,
      drainKibPerEvent,
      stallMs,
      windowStall,
      loadBefore,
      loadAfter,
      halfRate,
      halfAchieved: half.rps,
      halfP99: half.p99,
      halfNon2xx: half.non2xx,
    };
  } finally {
    db.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bare HMAC server's figures at the same connections (full speed, and p99 at half its rate). */
export async function measureBare(
  port: number,
  o: ServeOptions,
): Promise<{ acks: number; p99: number; halfRate: number; halfP99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-bare-'));
  try {
    await fullLoad(dir, port, o, 2, 20_000);
    const run = await fullLoad(dir, port, o, o.seconds, 20_000);
    const half = await pacedLoad(dir, port, o, o.seconds, Math.round(run.rps / 2));
    return { acks: run.rps, p99: run.p99, halfRate: half.rps, halfP99: half.p99 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
