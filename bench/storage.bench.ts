// Storage throughput through the product's path (Kysely + keyring: encrypt the PSID, blind-index it, insert; look
// up by blind index and decrypt) beside raw driver statements doing the same SQL with precomputed values, on
// SQLite and, when reachable, PostgreSQL. Run: node --import tsx bench/storage.bench.ts
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { Keyring } from '../src/crypto/index.ts';
import { newId } from '../src/lib/ids.ts';
import type { ContactTable } from '../src/db/tables/conversations.ts';
import { newContactRow } from '../src/modules/contacts/contact-row.ts';
import { wroteJustNow } from '../test/support/seed.ts';
import { openTestDatabase, type TestDatabase } from '../test/support/db.ts';
import type { Dialect } from '../src/db/types.ts';

const N = Number(process.env.BENCH_STORAGE_ROWS ?? 20_000);
const BATCH = 500;
const LOOKUPS = 5_000;
const PG_URL = process.env.PAGESCOPE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);
const PAGE = '1717527131834678';

function contactRow(i: number, now: number): ContactTable {
  const id = newId('ct', now);
  const psid = String(2_000_000_000_000_000 + i);
  return {
    ...newContactRow({
      id,
      pageId: PAGE,
      psidBidx: keyring.blindIndex(psid, 'psid'),
      psidEnc: keyring.encrypt(psid, { table: 'contacts', column: 'psid_enc', pageId: PAGE, rowId: id }),
      at: now,
      now,
    }),
    ...wroteJustNow(now),
  };
}

const COLUMNS = Object.keys(contactRow(0, 0));

/** A bare pg client on the benchmark's schema: the baseline pays no pool and no query builder. */
async function rawPgClient(database: TestDatabase): Promise<pg.Client> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]!.s;
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  return client;
}

async function productInsert(database: TestDatabase, offset: number): Promise<number> {
  const start = performance.now();
  for (let b = 0; b < N; b += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, N - b) }, (_, i) => contactRow(offset + b + i, Date.now()));
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('contacts').values(rows).execute();
    });
  }
  return N / ((performance.now() - start) / 1000);
}

/** The same rows, values computed outside the timer, through the bare driver. */
async function rawInsert(database: TestDatabase, dialect: Dialect, offset: number): Promise<number> {
  const batches: unknown[][][] = [];
  for (let b = 0; b < N; b += BATCH) {
    batches.push(
      Array.from({ length: Math.min(BATCH, N - b) }, (_, i) => Object.values(contactRow(offset + b + i, Date.now()))),
    );
  }
  if (dialect === 'sqlite') {
    const Sqlite = (await import('better-sqlite3')).default;
    const native = new Sqlite(database.file!);
    native.pragma('journal_mode = WAL');
    native.pragma('synchronous = FULL');
    const stmt = native.prepare(
      `insert into contacts (${COLUMNS.join(',')}) values (${COLUMNS.map(() => '?').join(',')})`,
    );
    const start = performance.now();
    for (const batch of batches) native.transaction(() => batch.forEach((r) => stmt.run(r)))();
    const rate = N / ((performance.now() - start) / 1000);
    native.close();
    return rate;
  }
  const client = await rawPgClient(database);
  const start = performance.now();
  for (const batch of batches) {
    const params: unknown[] = [];
    const tuples = batch.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(',')})`);
    await client.query('begin');
    await client.query(`insert into contacts (${COLUMNS.join(',')}) values ${tuples.join(',')}`, params);
    await client.query('commit');
  }
  const rate = N / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

async function productLookup(database: TestDatabase): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < LOOKUPS; i++) {
    const psid = String(2_000_000_000_000_000 + ((i * 7919) % N));
    const row = await database.db
      .selectFrom('contacts')
      .select(['id', 'psid_enc'])
      .where('page_id', '=', PAGE)
      .where('psid_bidx', '=', keyring.blindIndex(psid, 'psid'))
      .executeTakeFirstOrThrow();
    keyring.decrypt(row.psid_enc, { table: 'contacts', column: 'psid_enc', pageId: PAGE, rowId: row.id });
  }
  return LOOKUPS / ((performance.now() - start) / 1000);
}

async function rawLookup(database: TestDatabase, dialect: Dialect): Promise<number> {
  const keys = Array.from({ length: LOOKUPS }, (_, i) =>
    keyring.blindIndex(String(2_000_000_000_000_000 + ((i * 7919) % N)), 'psid'),
  );
  if (dialect === 'sqlite') {
    const Sqlite = (await import('better-sqlite3')).default;
    const native = new Sqlite(database.file!, { readonly: true });
    const stmt = native.prepare('select id, psid_enc from contacts where page_id = ? and psid_bidx = ?');
    const start = performance.now();
    for (const k of keys) stmt.get(PAGE, k);
    const rate = LOOKUPS / ((performance.now() - start) / 1000);
    native.close();
    return rate;
  }
  const client = await rawPgClient(database);
  const start = performance.now();
  for (const k of keys)
    await client.query({
      name: 'lookup',
      text: 'select id, psid_enc from contacts where page_id = $1 and psid_bidx = $2',
      values: [PAGE, k],
    });
  const rate = LOOKUPS / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(`storage: ${N} contacts inserted in transactions of ${BATCH}, ${LOOKUPS} PSID lookups`);
console.log('dialect   | operation | pagescope/s | raw driver/s | ratio');
const dialects: Dialect[] = ['sqlite'];
if (await pgReachable()) {
  process.env.PAGESCOPE_TEST_DATABASE_URL = PG_URL;
  dialects.push('postgres');
} else console.log('(PostgreSQL not reachable: skipped)');
for (const dialect of dialects) {
  const database = await openTestDatabase(dialect);
  try {
    const raw = await rawInsert(database, dialect, 0);
    const ours = await productInsert(database, N);
    console.log(`${dialect.padEnd(9)} | insert    | ${fmt(ours)}  | ${fmt(raw)}   | ${(ours / raw).toFixed(2)}`);
    const rawL = await rawLookup(database, dialect);
    const oursL = await productLookup(database);
    console.log(`${dialect.padEnd(9)} | lookup    | ${fmt(oursL)}  | ${fmt(rawL)}   | ${(oursL / rawL).toFixed(2)}`);
  } finally {
    await database.destroy();
  }
}
