// A three-clause segment (tag "vip", points ≥ 500, an order in the last 90 days) counted by the real server: `serve`
// in a child process over a data dir holding N contacts, `POST …/segments/preview` (count and a sample of 20)
// RUNS times over HTTP with an owner token; beside it, the same count by a hand-written SQL query through the raw
// driver on the same database (the baseline), and the ratio of the p95s. The two counts must agree.
// SQLite, and PostgreSQL when reachable (BENCH_AUDIENCE_DBS=sqlite or =postgres for one). Sizes: BENCH_AUDIENCE_SIZES
// (default 10000,100000,1000000; 10000 for a quick run).
// Run: npm run bench -- audience
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import Sqlite from 'better-sqlite3';
import { loadConfig } from '../src/config/config.ts';
import { openApp } from '../src/app/bootstrap.ts';
import { exitOf, runCliOk, startServe } from '../test/support/cli.ts';
import { PAGE, seedAudience } from './audience-seed.ts';
import { percentile, pgReachable } from './support.ts';

const SIZES = (process.env.BENCH_AUDIENCE_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_AUDIENCE_RUNS ?? 20);
const PG_ADMIN = process.env.PAGESCOPE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;

const FILTER = {
  all: [
    { field: 'tag', op: 'eq', value: 'vip' },
    { field: 'attribute.points', op: 'gte', value: 500 },
    { field: 'orders.last_at', op: 'within_days', value: 90 },
  ],
};

// The same meaning by hand: the Page's live contacts with the tag, the points and a recent order, each an EXISTS on
// the index a person would reach for.
const COUNT_SQL = `select count(*) as n from contacts c
  where c.page_id = $1 and c.merged_into is null and c.status <> 'erased'
    and exists (select 1 from contact_tags t where t.page_id = $1 and t.tag = 'vip' and t.contact_id = c.id)
    and exists (select 1 from contact_attributes a where a.contact_id = c.id and a.key = 'points' and a.value_num >= 500)
    and exists (select 1 from orders o where o.contact_id = c.id and o.ordered_at >= $2)`;

async function timeRuns<T>(run: () => Promise<T>): Promise<{ p50: number; p95: number; last: T }> {
  let last = await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    last = await run();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), last };
}

async function baseline(dialect: 'sqlite' | 'postgres', where: string, since: number) {
  if (dialect === 'sqlite') {
    const db = new Sqlite(where, { readonly: true });
    const count = db.prepare(COUNT_SQL.replaceAll('$1', '@page').replace('$2', '@since'));
    const r = await timeRuns(async () => Number((count.get({ page: PAGE, since }) as { n: number }).n));
    db.close();
    return r;
  }
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  const r = await timeRuns(async () => Number((await client.query(COUNT_SQL, [PAGE, since])).rows[0].n));
  await client.end();
  return r;
}

async function benchOne(dialect: 'sqlite' | 'postgres', n: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-bench-audience-'));
  const dbName = `bench_audience_${randomBytes(4).toString('hex')}`;
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
    const token = (JSON.parse(await runCliOk(['init', '--json'], env)) as { owner_token: string }).owner_token;
    const seedStart = performance.now();
    const ctx = await openApp(loadConfig(env), { env });
    await seedAudience(ctx, n);
    // What autovacuum (PostgreSQL) and `PRAGMA optimize` (SQLite) do after a bulk load: statistics for the planner.
    await sql`${sql.raw(dialect === 'postgres' ? 'vacuum analyze' : 'analyze')}`.execute(ctx.db);
    await ctx.close();
    const seeded = (performance.now() - seedStart) / 1000;
    const { url, child } = await startServe(env, 120_000);
    try {
      const preview = (limit: number) =>
        timeRuns(async () => {
          const res = await fetch(`${url}/api/v1/pages/${PAGE}/segments/preview`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ filter: FILTER, limit }),
          });
          if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
          return ((await res.json()) as { count: number }).count;
        });
      // The count alone (limit 0), then the count with a sample of 20 as the builder asks.
      const r = await preview(0);
      const withSample = await preview(20);
      // The server reads its clock at each request and the baseline's cutoff is taken after them: an order within
      // those seconds of the 90-day boundary may count in one and not the other, hence a small tolerance.
      const since = Date.now() - 90 * DAY;
      const b = await baseline(dialect, dialect === 'sqlite' ? join(dataDir, 'pagescope.db') : dbUrl, since);
      const agree = Math.abs(r.last - b.last) <= Math.max(2, r.last * 0.001) ? 'counts agree' : 'COUNTS DIFFER';
      console.log(
        `| ${dialect} | ${n.toLocaleString('en')} | ${r.last} | ${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} ms | ${withSample.p50.toFixed(1)} / ${withSample.p95.toFixed(1)} ms | ${b.p50.toFixed(1)} / ${b.p95.toFixed(1)} ms | ${(r.p95 / b.p95).toFixed(2)} | ${agree} (${b.last}); seeded in ${seeded.toFixed(0)} s |`,
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

console.log(
  '| database | contacts | segment count | count over HTTP p50 / p95 | count and 20 contacts p50 / p95 | hand-written SQL count p50 / p95 | count p95 ÷ SQL p95 | |',
);
console.log('|---|---|---|---|---|---|---|---|');
const wanted = (process.env.BENCH_AUDIENCE_DBS ?? 'sqlite,postgres').split(',');
const pgUp = wanted.includes('postgres') && (await pgReachable(PG_ADMIN));
const dialects = (['sqlite', 'postgres'] as const).filter((d) => wanted.includes(d) && (d === 'sqlite' || pgUp));
for (const dialect of dialects) for (const n of SIZES) await benchOne(dialect, n);
