// An agent's writes while `serve` works through a backlog: 256 people write to the real server (all roles); then
// `serve --role web` stores 80,000 more of their messages without processing them and stops; then `serve` (all roles)
// starts on that backlog, and tags are added to its contacts through the API, one every 50 ms, while it is processed;
// then writes come from another process (this one), one every 50 ms, alternately through pagescope's database layer
// and through a plain SQLite connection waiting in SQLite's busy handler. Beside them, the API's writes to the same
// server once the backlog is gone (the baseline of the same run).
// On SQLite a write waits for the processor's turn to end (see src/db/write-lock-waiters.ts).
// Run: npm run bench -- writes-during-backlog    (BENCH_BACKLOG sets the backlog)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { runCliOk, startServe } from '../test/support/cli.ts';
import { openDatabase } from '../src/db/database.ts';
import { benchServeEnv, signedMessage } from './support.ts';

const SECRET = 'bench-app-secret';
const PAGE = '1717527131834678';
const PEOPLE = 256;
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 80_000);
const WRITES = 60;

const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-writes-'));
const env = benchServeEnv(join(dir, 'data'), SECRET);
const init = JSON.parse(await runCliOk(['init', '--json'], env, '')) as { owner_token: string };
await runCliOk(
  ['pages', 'add', '--id', PAGE, '--name', 'Bench', '--token', 'bench-page-token', '--no-verify'],
  env,
  '',
);
let { url, child } = await startServe(env);
const auth = { authorization: `Bearer ${init.owner_token}` };
const stop = async () => {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
};
/** The sum of a metric's lines on /metrics. */
const metric = async (name: string) => {
  const text = await (await fetch(`${url}/metrics`, { headers: auth })).text();
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
};
const processed = () => metric('pagescope_events_processed_total');

const post = (k: number) => {
  const { raw, signature } = signedMessage(PAGE, SECRET, k, PEOPLE, `m_writes_${k}`);
  return fetch(`${url}/webhook`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
  });
};
/** Adds a tag to a contact every 50 ms, WRITES times; each request's time in ms, sorted. */
const tagWrites = async (contacts: { id: string }[], round: string) => {
  const times: number[] = [];
  for (let n = 0; n < WRITES; n++) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/contacts/${contacts[n % contacts.length]!.id}/tags`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: [`${round}-${n}`] }),
    });
    if (!res.ok) throw new Error(`tag write answered ${res.status}`);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return times.sort((a, b) => a - b);
};
/**
 * Writes from another process (this one, on serve's data dir): a small write transaction every 50 ms, timed around
 * it, in turns through pagescope's own database layer (as a CLI command, or `serve --role web` beside
 * `serve --role worker`, opens it) and through a plain connection that waits in SQLite's busy handler.
 */
const OTHER_WRITES = 20;
const otherProcessWrites = async (round: string) => {
  const database = await openDatabase({ dataDir: join(dir, 'data'), databaseUrl: null });
  const plain = new SqliteDatabase(join(dir, 'data', 'pagescope.db'), { timeout: 10_000 });
  const insert = plain.prepare('insert into webhook_body_hashes (body_hash, post_id, created_at) values (?, ?, ?)');
  const ours: number[] = [];
  const sqlites: number[] = [];
  try {
    for (let n = 0; n < OTHER_WRITES; n++) {
      let started = performance.now();
      await database.db.transaction().execute((trx) =>
        trx
          .insertInto('webhook_body_hashes')
          .values({ body_hash: `${round}-ours-${n}`, post_id: 'wp_bench', created_at: Date.now() })
          .execute(),
      );
      ours.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
      started = performance.now();
      plain.exec('begin immediate');
      insert.run(`${round}-plain-${n}`, 'wp_bench', Date.now());
      plain.exec('commit');
      sqlites.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    plain.close();
    await database.close();
  }
  return { ours: ours.sort((a, b) => a - b), sqlite: sqlites.sort((a, b) => a - b) };
};
const figures = (t: number[]) =>
  `median ${t[Math.floor(t.length / 2)]!.toFixed(1)} ms, p90 ${t[Math.floor(t.length * 0.9)]!.toFixed(1)} ms, slowest ${t.at(-1)!.toFixed(1)} ms`;

try {
  for (let k = 0; k < PEOPLE; k += 64) await Promise.all(Array.from({ length: 64 }, (_, j) => post(k + j)));
  while ((await processed()) < PEOPLE) await new Promise((resolve) => setTimeout(resolve, 100));
  const contacts = (
    (await (await fetch(`${url}/api/v1/pages/${PAGE}/contacts?limit=8`, { headers: auth })).json()) as {
      data: { id: string }[];
    }
  ).data;
  await stop();
  // The backlog: stored by a web-only server, which processes nothing.
  ({ url, child } = await startServe(env, 60_000, ['--role', 'web']));
  for (let k = PEOPLE; k < PEOPLE + BACKLOG; k += 250)
    await Promise.all(Array.from({ length: 250 }, (_, j) => post(k + j)));
  while ((await metric('pagescope_webhook_spool_unmoved_bytes')) > 0)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await stop();
  ({ url, child } = await startServe(env));
  const during = await tagWrites(contacts, 'backlog');
  const left = BACKLOG - (await processed());
  const otherDuring = await otherProcessWrites('backlog');
  const otherLeft = BACKLOG - (await processed());
  while ((await processed()) < BACKLOG) await new Promise((resolve) => setTimeout(resolve, 100));
  const idle = await tagWrites(contacts, 'idle');
  console.log(
    `serve (all roles): a write transaction from another process every 50 ms while it processed the backlog, after the API's writes (${left.toLocaleString('en')} messages waiting before, ${otherLeft.toLocaleString('en')} after), ${OTHER_WRITES} through pagescope's database layer: ${figures(otherDuring.ours)}; ${OTHER_WRITES} waiting in SQLite's busy handler: ${figures(otherDuring.sqlite)}`,
  );
  console.log(
    `serve (all roles): a tag added through the API every 50 ms while it processed a backlog of ${BACKLOG.toLocaleString('en')} stored messages (${left.toLocaleString('en')} still waiting after the ${WRITES} writes): ${figures(during)}  with no backlog: ${figures(idle)}  ratio of medians ${(during[Math.floor(WRITES / 2)]! / idle[Math.floor(WRITES / 2)]!).toFixed(1)}`,
  );
} finally {
  await stop();
  rmSync(dir, { recursive: true, force: true });
}
