// Live updates as a person sees them: `serve` (all roles, the bin as users run it, on a data dir of its own) with a
// real browser (Debian's Chromium through Playwright) signed in to the inbox, while people write in (signed webhook
// POSTs) at a steady rate: first alone, then on top of a background load of many webhooks/s. For each message it
// measures, from the moment its POST is sent:
//   - ack: the POST's 200 (the webhook's own round trip);
//   - sse: its `message.created` event read off the SSE stream by a plain Node client (the baseline: what the server
//     alone delivers, with no browser or UI in the way);
//   - browser event: the same event arriving at the page's EventSource;
//   - DOM: the message's text appearing in the page's conversation list (a MutationObserver in the page).
// Each figure is printed with p50/p95/p99 and its ratio to the SSE baseline of the same phase.
// SQLite always, PostgreSQL too when reachable (BENCH_LIVE_DBS=sqlite to skip it). BENCH_LIVE_SECONDS (default 60)
// and BENCH_LIVE_LOAD (background webhooks/s, default 50) change the phases.
// Run: npm run bench -- live
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { chromium, type Page } from 'playwright-core';
import { buildState } from '../bin/build-state.js';
import { runCliOk, startServe as startServeReady } from '../test/support/cli.ts';
import { benchServeEnv, percentile, pgReachable } from './support.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const PAGE = '1717527131834679';
const SECRET = 'bench-live-secret';
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const PROBE_RATE = 5;
const LOAD_RATE = Number(process.env.BENCH_LIVE_LOAD ?? 50);
/** The people whose messages are timed, apart from the background's, so their rows stay near the top of the list. */
const PROBE_PEOPLE = 10;
const BACKGROUND_PEOPLE = 256;
const PG_ADMIN = process.env.PAGESCOPE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DBS = (process.env.BENCH_LIVE_DBS ?? 'sqlite,postgres').split(',');

const agent = new Agent({ keepAlive: true, maxSockets: 32 });
let serial = 0;

/** Posts one signed message; resolves with the POST's round trip in ms. */
function postMessage(port: number, psid: string, mid: string, text: string): Promise<number> {
  const ts = Date.now();
  const raw = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: ts,
        messaging: [{ sender: { id: psid }, recipient: { id: PAGE }, timestamp: ts, message: { mid, text } }],
      },
    ],
  });
  const signature = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhook',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(raw),
          'x-hub-signature-256': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`webhook ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(raw);
  });
}

/** `init`, the Page, and `serve` with all roles; resolves once /readyz says ready. */
async function startServe(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; login: string; token: string }> {
  const init = JSON.parse(await runCliOk(['init', '--json'], env)) as { owner_token: string; login_url: string };
  await runCliOk(
    ['pages', 'add', '--id', PAGE, '--name', 'Live shop', '--token', 'bench-page-token', '--no-verify'],
    env,
  );
  const { url, child } = await startServeReady(env);
  return { url, child, login: new URL(init.login_url).pathname, token: init.owner_token };
}

/** A plain Node reader of the SSE stream: when each `message.created` event (by message id) arrived. */
function followStream(url: string, token: string): { arrivals: Map<string, number>; stop: () => void } {
  const arrivals = new Map<string, number>();
  const abort = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const now = Date.now();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.includes('event: message.created')) continue;
        const data = /^data: (.*)$/m.exec(block);
        const id = data ? (JSON.parse(data[1]!) as { message_id?: string }).message_id : undefined;
        if (id && !arrivals.has(id)) arrivals.set(id, now);
      }
    }
  })().catch(() => {});
  return { arrivals, stop: () => abort.abort() };
}

/**
 * Instruments the page before its scripts run: every EventSource records when each `message.created` event arrived
 * (a listener registered before the app's own), and a MutationObserver records when each probe's text `#P<n>#`
 * first shows in the conversation list.
 */
const INSTRUMENT = `(() => {
  window.__esArrivals = {};
  window.__domSeen = {};
  const ES = window.EventSource;
  window.EventSource = class extends ES {
    constructor(u, o) {
      super(u, o);
      this.addEventListener('message.created', (e) => {
        try {
          const id = JSON.parse(e.data).message_id;
          if (id && !(id in window.__esArrivals)) window.__esArrivals[id] = Date.now();
        } catch {}
      });
    }
  };
  const look = () => {
    const nav = document.querySelector('nav[aria-label="Conversations"]');
    if (!nav) return;
    const now = Date.now();
    for (const m of nav.textContent.matchAll(/#P(\\d+)#/g)) if (!(m[1] in window.__domSeen)) window.__domSeen[m[1]] = now;
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

interface Probe {
  n: number;
  mid: string;
  sentAt: number;
  ack?: number;
}

/** Sends probes at PROBE_RATE for `seconds` (and the background load at `load`/s meanwhile). */
async function phase(
  port: number,
  seconds: number,
  load: number,
): Promise<{ probes: Probe[]; loadSent: number; loadFailed: number }> {
  const probes: Probe[] = [];
  let loadSent = 0;
  let loadFailed = 0;
  const end = Date.now() + seconds * 1000;
  const loadTimer =
    load > 0
      ? setInterval(() => {
          // 20 ticks a second, the rate spread over them.
          for (let i = 0; i < load / 20; i++) {
            const k = serial++;
            loadSent++;
            postMessage(
              port,
              String(4_200_000_000_000_000 + (k % BACKGROUND_PEOPLE)),
              `m.load.${k}.${process.pid}`,
              `background question ${k}: is my order shipped yet?`,
            ).catch(() => loadFailed++);
          }
        }, 50)
      : null;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; Date.now() < end; i++) {
    const at = Date.now();
    const n = serial++;
    const probe: Probe = { n, mid: `m.probe.${n}.${process.pid}`, sentAt: at };
    probes.push(probe);
    pending.push(
      postMessage(port, String(5_100_000_000_000_000 + (i % PROBE_PEOPLE)), probe.mid, `#P${n}# where is my parcel?`)
        .then((ms) => (probe.ack = ms))
        .catch(() => {}),
    );
    const next = at + 1000 / PROBE_RATE;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  if (loadTimer) clearInterval(loadTimer);
  await Promise.all(pending);
  return { probes, loadSent, loadFailed };
}

interface Stats {
  label: string;
  xs: number[];
}

function row(dialect: string, phaseLabel: string, s: Stats, baseP95: number, total: number): string {
  const p95 = percentile(s.xs, 95);
  const missing = total - s.xs.length;
  return `| ${dialect} | ${phaseLabel} | ${s.label} | ${percentile(s.xs, 50).toFixed(0)} / ${p95.toFixed(0)} / ${percentile(s.xs, 99).toFixed(0)} ms | ${(p95 / baseP95).toFixed(2)} |${missing ? ` ${missing} of ${total} not seen` : ''}`;
}

async function benchOne(dialect: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-live-'));
  const dbName = `bench_live_${randomBytes(4).toString('hex')}`;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
  const admin = dialect === 'postgres' ? new pg.Client({ connectionString: PG_ADMIN }) : null;
  if (admin) {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
  }
  const env: Record<string, string> = {
    ...benchServeEnv(join(dir, 'data'), SECRET),
    ...(dialect === 'postgres' && { DATABASE_URL: dbUrl }),
  };
  const server = await startServe(env);
  const port = Number(new URL(server.url).port);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const stream = followStream(server.url, server.token);
  try {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(INSTRUMENT);
    await page.goto(`${server.url}${server.login}`);
    await page.goto(server.url);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 30_000 });
    // The probe people write once first: what is timed is a message in a conversation the inbox already has.
    await phase(port, PROBE_PEOPLE / PROBE_RATE, 0);
    await new Promise((r) => setTimeout(r, 2000));

    // Each probe's message id, and when its message.created event was appended (the server's clock, which is
    // this machine's): where the time before the stream goes.
    const EVENTS_SQL = `select m.id, e.at from messages m left join inbox_events e
      on e.message_id = m.id and e.type = 'message.created' where m.mid = `;
    const messageIds = async (mids: string[]): Promise<Map<string, { id: string; at: number | null }>> => {
      const out = new Map<string, { id: string; at: number | null }>();
      if (dialect === 'sqlite') {
        const db = new SqliteDatabase(join(env.PAGESCOPE_DATA_DIR!, 'pagescope.db'), { readonly: true });
        const q = db.prepare(`${EVENTS_SQL}?`);
        for (const mid of mids) {
          const r = q.get(mid) as { id: string; at: number | null } | undefined;
          if (r) out.set(mid, r);
        }
        db.close();
      } else {
        const c = new pg.Client({ connectionString: dbUrl });
        await c.connect();
        for (const mid of mids) {
          const r = await c.query<{ id: string; at: string | null }>(`${EVENTS_SQL}$1`, [mid]);
          if (r.rows[0]) out.set(mid, { id: r.rows[0].id, at: r.rows[0].at === null ? null : Number(r.rows[0].at) });
        }
        await c.end();
      }
      return out;
    };

    for (const [label, load] of [
      [`${PROBE_RATE}/s for ${SECONDS} s`, 0],
      [`${PROBE_RATE}/s for ${SECONDS} s + ${LOAD_RATE} background webhooks/s`, LOAD_RATE],
    ] as const) {
      const load0 = loadavg()[0]!;
      const processed0 = await processed(server.url);
      const r = await phase(port, SECONDS, load);
      const processedPerS = ((await processed(server.url)) - processed0) / SECONDS;
      // Give the last ones time to arrive.
      await new Promise((res) => setTimeout(res, 5000));
      const ids = await messageIds(r.probes.map((p) => p.mid));
      const seen = (await page.evaluate('({ es: window.__esArrivals, dom: window.__domSeen })')) as {
        es: Record<string, number>;
        dom: Record<string, number>;
      };
      const ack: number[] = [];
      const appended: number[] = [];
      const sse: number[] = [];
      const es: number[] = [];
      const dom: number[] = [];
      for (const p of r.probes) {
        if (p.ack !== undefined) ack.push(p.ack);
        const m = ids.get(p.mid);
        const id = m?.id;
        if (m?.at) appended.push(m.at - p.sentAt);
        if (id && stream.arrivals.has(id)) sse.push(stream.arrivals.get(id)! - p.sentAt);
        if (id && seen.es[id] !== undefined) es.push(seen.es[id]! - p.sentAt);
        if (seen.dom[String(p.n)] !== undefined) dom.push(seen.dom[String(p.n)]! - p.sentAt);
      }
      const base = percentile(sse, 95);
      const total = r.probes.length;
      const loadNote = load ? ` (background: ${r.loadSent} sent, ${r.loadFailed} failed)` : '';
      console.log(
        `\n${dialect}, ${label}${loadNote}; webhook events processed meanwhile: ${processedPerS.toFixed(0)}/s; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
      );
      console.log('| database | phase | from the POST to | p50 / p95 / p99 | p95 ÷ SSE baseline p95 |');
      console.log('|---|---|---|---|---|');
      for (const s of [
        { label: "the POST's 200 (webhook round trip)", xs: ack },
        { label: 'its event appended in the database (inbox_events.at)', xs: appended },
        { label: 'baseline: the event read off the SSE stream by a plain Node client', xs: sse },
        { label: "the event at the browser's EventSource", xs: es },
        { label: "the message's text in the browser's conversation list (DOM)", xs: dom },
      ])
        console.log(row(dialect, label, s, base, total));
    }
  } finally {
    stream.stop();
    await browser.close();
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
    if (admin) {
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

/** Webhook events the server processed so far (its /metrics, the processing thread's included). */
async function processed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('pagescope_events_processed_total'))
    .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

if (buildState() !== 'fresh')
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
for (const dialect of DBS) {
  if (dialect === 'postgres' && !(await pgReachable(PG_ADMIN))) {
    console.log('PostgreSQL not reachable: skipped');
    continue;
  }
  await benchOne(dialect as 'sqlite' | 'postgres');
}
agent.destroy();
