import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { Dialect } from './types.ts';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-conversations-and-outbox.ts';
import * as m0003 from './migrations/0003-privacy.ts';
import * as m0004 from './migrations/0004-messaging-outbox-order.ts';
import * as m0005 from './migrations/0005-webhook-dedupe-off-the-ack-path.ts';
import * as m0006 from './migrations/0006-contact-identity.ts';
import * as m0007 from './migrations/0007-webhook-spool.ts';
import * as m0008 from './migrations/0008-deliveries-without-mid-index.ts';
import * as m0009 from './migrations/0009-invalid-psid-is-unreachable.ts';
import * as m0010 from './migrations/0010-auth-failure-counters.ts';
import * as m0011 from './migrations/0011-api-token-expiry.ts';
import * as m0012 from './migrations/0012-intake-keys.ts';
import * as m0013 from './migrations/0013-operator-users.ts';
import * as m0014 from './migrations/0014-inbox.ts';
import * as m0015 from './migrations/0015-webhook-posts.ts';
import * as m0016 from './migrations/0016-page-settings.ts';
import * as m0017 from './migrations/0017-canned-responses.ts';
import * as m0018 from './migrations/0018-inbox-list-covering-indexes.ts';
import * as m0019 from './migrations/0019-audience.ts';
import * as m0020 from './migrations/0020-contact-tags-and-attributes-tables.ts';
import * as m0021 from './migrations/0021-order-link-tag.ts';
import * as m0022 from './migrations/0022-segment-indexes.ts';
import * as m0023 from './migrations/0023-postbacks-in-history.ts';
import * as m0025 from './migrations/0025-campaigns.ts';
import * as m0026 from './migrations/0026-page-settings-at-meta.ts';
import * as m0027 from './migrations/0027-automations.ts';
import * as m0028 from './migrations/0028-assistant.ts';
import * as m0029 from './migrations/0029-product-active.ts';
import * as m0030 from './migrations/0030-loyalty-offers.ts';
import * as m0031 from './migrations/0031-sequences.ts';
import * as m0032 from './migrations/0032-thread-owner-at.ts';
import * as m0033 from './migrations/0033-assistant-model-jobs.ts';
import * as m0034 from './migrations/0034-marketing-messages.ts';
import * as m0035 from './migrations/0035-thread-requests.ts';
import * as m0036 from './migrations/0036-campaign-version.ts';
import * as m0037 from './migrations/0037-conversations-by-contact-covering.ts';
import * as m0038 from './migrations/0038-campaign-audience-freeze.ts';
import * as m0039 from './migrations/0039-message-words-per-contact.ts';
import * as m0040 from './migrations/0040-early-marketing-events.ts';
import * as m0041 from './migrations/0041-time-ordered-ledger-keys.ts';
import * as m0042 from './migrations/0042-body-hashes-without-time.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;
type Step = { up(db: AnyDb, dialect: Dialect): Promise<void> };

/** One ordered list of migrations; each step writes the same schema for both dialects. */
const STEPS: [string, Step][] = [
  ['0001-foundation', m0001],
  ['0002-conversations-and-outbox', m0002],
  ['0003-privacy', m0003],
  ['0004-messaging-outbox-order', m0004],
  ['0005-webhook-dedupe-off-the-ack-path', m0005],
  ['0006-contact-identity', m0006],
  ['0007-webhook-spool', m0007],
  ['0008-deliveries-without-mid-index', m0008],
  ['0009-invalid-psid-is-unreachable', m0009],
  ['0010-auth-failure-counters', m0010],
  ['0011-api-token-expiry', m0011],
  ['0012-intake-keys', m0012],
  ['0013-operator-users', m0013],
  ['0014-inbox', m0014],
  ['0015-webhook-posts', m0015],
  ['0016-page-settings', m0016],
  ['0017-canned-responses', m0017],
  ['0018-inbox-list-covering-indexes', m0018],
  ['0019-audience', m0019],
  ['0020-contact-tags-and-attributes-tables', m0020],
  ['0021-order-link-tag', m0021],
  ['0022-segment-indexes', m0022],
  ['0023-postbacks-in-history', m0023],
  ['0025-campaigns', m0025],
  ['0026-page-settings-at-meta', m0026],
  ['0027-automations', m0027],
  ['0028-assistant', m0028],
  ['0029-product-active', m0029],
  ['0030-loyalty-offers', m0030],
  ['0031-sequences', m0031],
  ['0032-thread-owner-at', m0032],
  ['0033-assistant-model-jobs', m0033],
  ['0034-marketing-messages', m0034],
  ['0035-thread-requests', m0035],
  ['0036-campaign-version', m0036],
  ['0037-conversations-by-contact-covering', m0037],
  ['0038-campaign-audience-freeze', m0038],
  ['0039-message-words-per-contact', m0039],
  ['0040-early-marketing-events', m0040],
  ['0041-time-ordered-ledger-keys', m0041],
  ['0042-body-hashes-without-time', m0042],
];

// A small migrator of our own rather than Kysely's: Kysely's looks its tables up by introspecting every schema of
// the database, which fails when another schema is dropped at that moment (parallel tests, other tenants).
const TABLE = 'pagescope_migrations';
const PG_LOCK = 7_361_402_117;

async function ensureTable(db: AnyDb): Promise<void> {
  await sql.raw(`create table if not exists ${TABLE} (name text primary key, applied_at bigint not null)`).execute(db);
}

async function applied(db: AnyDb): Promise<Set<string>> {
  const rows = await db.selectFrom(TABLE).select('name').execute();
  return new Set(rows.map((r: { name: string }) => r.name));
}

/**
 * Applies pending migrations, all in one transaction under an exclusive lock (an advisory lock on PostgreSQL, an
 * immediate transaction on SQLite), so two processes starting together apply each step once. Safe to run twice.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const db = database.db as AnyDb;
  await ensureTable(db);
  const run = async (trx: AnyDb): Promise<string[]> => {
    const done = await applied(trx);
    const out: string[] = [];
    for (const [name, step] of STEPS) {
      if (done.has(name)) continue;
      await step.up(trx, database.dialect);
      await trx.insertInto(TABLE).values({ name, applied_at: Date.now() }).execute();
      out.push(name);
    }
    return out;
  };
  if (database.dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PG_LOCK})`.execute(trx);
      return run(trx);
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await run(conn);
      await sql`commit`.execute(conn);
      return out;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

export async function pendingMigrations(database: Database): Promise<string[]> {
  const db = database.db as AnyDb;
  await ensureTable(db);
  const done = await applied(db);
  return STEPS.map(([name]) => name).filter((name) => !done.has(name));
}
