import { Migrator, sql, type Migration, type MigrationResultSet } from 'kysely';
import type { Database } from './database.ts';
import type { Dialect } from './types.ts';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-conversations-and-outbox.ts';
import * as m0003 from './migrations/0003-privacy.ts';
import * as m0004 from './migrations/0004-messaging-outbox-order.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Step = { up(db: any, dialect: Dialect): Promise<void> };

/** One ordered list of migrations; each step writes the same schema for both dialects. */
const STEPS: Record<string, Step> = {
  '0001-foundation': m0001,
  '0002-conversations-and-outbox': m0002,
  '0003-privacy': m0003,
  '0004-messaging-outbox-order': m0004,
};

/**
 * On PostgreSQL the migration tables are named in the connection's own schema: Kysely otherwise looks for them in
 * every schema, and a database holding several pagescope schemas (tests, tenants) would find another's tables.
 */
async function migrator(database: Database): Promise<Migrator> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) {
    migrations[name] = { up: (db) => step.up(db, database.dialect) };
  }
  const schema = database.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]?.s : undefined;
  return new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Applies pending migrations, each in its own transaction; returns the names applied. Safe to run twice. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const result: MigrationResultSet = await (await migrator(database)).migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(database: Database): Promise<string[]> {
  const all = await (await migrator(database)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
