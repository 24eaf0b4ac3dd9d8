// The inbox list as users run it: `serve` (all roles) in a child process over a data dir holding N conversations,
// each list variant requested 200 times over HTTP with an owner token; beside it, the same page and counts by a
// hand-written SQL query through the raw driver on the same database (the baseline), and the ratio of the p95s.
// SQLite, and PostgreSQL when reachable (BENCH_INBOX_DBS=sqlite or =postgres for one). Sizes: BENCH_INBOX_SIZES
// (default 1000,100000).
// Run: npm run bench -- inbox
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import Sqlite from 'better-sqlite3';
import { loadConfig } from '../src/config/config.ts';
import { openApp } from '../src/app/bootstrap.ts';
import { exitOf, runCli, startCli } from '../test/support/cli.ts';
import { PAGE, seed } from './inbox-seed.ts';
import { percentile, pgReachable } from './support.ts';

const SIZES = (process.env.BENCH_INBOX_SIZES ?? '1000,100000').split(',').map(Number);
const RUNS = 200;
const PG_ADMIN = process.env.PAGESCOPE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function timeRuns(run: () => Promise<void>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 10; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

// The default tab by hand: one page of open conversations, newest activity first, with the contact and last message
// joined, and the three counts: what the product's list does, without the query builder, presenters or HTTP.
const LIST_SQL = `select c.*, ct.name_enc, m.text_enc from conversations c join contacts ct on ct.id = c.contact_id
  left join messages m on m.id = c.last_message_id where c.page_id = $1 and c.status = 'open'
  order by c.last_activity_at desc, c.id desc limit 51`;
const COUNT_SQL = `select count(*) as "all", sum(case when assignee_id is null then 1 else 0 end) as unassigned
  from conversations where page_id = $1 and status = 'open'`;

async function baseline(dialect: 'sqlite' | 'postgres', where: string): Promise<{ p50: number; p95: number }> {
  if (dialect === 'sqlite') {
    const db = new Sqlite(where, { readonly: true });
    const list = db.prepare(LIST_SQL.replace('$1', '?'));
    const count = db.prepare(COUNT_SQL.replace('$1', '?'));
    const r = await timeRuns(async () => {
      list.all(PAGE);
      count.get(PAGE);
    });
    db.close();
    return r;
  }
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  const r = await timeRuns(async () => {
    await client.query(LIST_SQL, [PAGE]);
    await client.query(COUNT_SQL, [PAGE]);
  });
  await client.end();
  return r;
}

const VARIANTS: [string, string][] = [
  ['open, newest first (the default tab)', ''],
  ['longest wait first', '&sort=waiting_since'],
  ['unassigned and unread', '&assignee=unassigned&unread=true'],
  // `invoice` is only in resolved conversations (an empty open tab: the counts alone); `refund` in 10,000 open ones.
  ['q: one word of the messages', '&q=invoice'],
  ['q: a word of 10,000 open conversations', '&q=refund'],
  ['window closing soon', '&window=closing_soon'],
];

async function benchOne(dialect: 'sqlite' | 'postgres', n: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-bench-inbox-'));
  const dbName = `bench_inbox_${randomBytes(4).toString('hex')}`;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
  const admin = dialect === 'postgres' ? new pg.Client({ connectionString: PG_ADMIN }) : null;
  if (admin) {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
  }
  const env: Record<string, string> = {
    PAGESCOPE_DATA_DIR: dataDir,
    META_APP_SECRET: 'bench-secret',
    META_VERIFY_TOKEN: 'bench',
    LOG_LEVEL: 'warn',
    ...(dialect === 'postgres' && { DATABASE_URL: dbUrl }),
  };
  try {
    const init = await runCli(['init', '--json'], env);
    if (init.code !== 0) throw new Error(init.stderr);
    const token = JSON.parse(init.stdout).owner_token as string;
    const seedStart = performance.now();
    const ctx = await openApp(loadConfig(env), { env });
    await seed(ctx, n);
    // What autovacuum does after a bulk load in a default install (statistics for the planner, the visibility map
    // for index-only scans); a test server may run with autovacuum off, leaving the planner to guess.
    if (dialect === 'postgres') await sql`vacuum analyze`.execute(ctx.db);
    await ctx.close();
    const seeded = (performance.now() - seedStart) / 1000;
    const { child, match } = await startCli(['serve', '--port', '0'], env, /listening on (http:\/\/\S+)/, 120_000);
    try {
      const base = match[1]!;
      const rows: string[] = [];
      let first = 0;
      for (const [label, query] of VARIANTS) {
        const url = `${base}/api/v1/pages/${PAGE}/conversations?limit=50${query}`;
        const r = await timeRuns(async () => {
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        });
        if (!first) first = r.p95;
        rows.push(
          `| ${dialect} | ${n.toLocaleString('en')} | ${label} | ${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} ms |`,
        );
      }
      const base_ = await baseline(dialect, dialect === 'sqlite' ? join(dataDir, 'pagescope.db') : dbUrl);
      for (const r of rows) console.log(r);
      console.log(
        `| ${dialect} | ${n.toLocaleString('en')} | baseline: the default tab's page and counts by hand-written SQL, raw driver | ${base_.p50.toFixed(2)} / ${base_.p95.toFixed(2)} ms | default tab p95 ÷ baseline p95: ${(first / base_.p95).toFixed(1)} (seeded in ${seeded.toFixed(0)} s)`,
      );
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

console.log('| database | conversations | list | p50 / p95 over HTTP |');
console.log('|---|---|---|---|');
const wanted = (process.env.BENCH_INBOX_DBS ?? 'sqlite,postgres').split(',');
const pgUp = wanted.includes('postgres') && (await pgReachable(PG_ADMIN));
const dialects = (['sqlite', 'postgres'] as const).filter((d) => wanted.includes(d) && (d === 'sqlite' || pgUp));
for (const dialect of dialects) for (const n of SIZES) await benchOne(dialect, n);
