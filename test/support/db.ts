import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { dropSchema, openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Dialect } from '../../src/db/types.ts';

/** PostgreSQL for tests, read when needed (a benchmark may set it after start-up). */
export function testPgUrl(): string | null {
  return process.env.PAGESCOPE_TEST_DATABASE_URL || null;
}

export function testRedisUrl(): string | null {
  return process.env.PAGESCOPE_TEST_REDIS_URL || null;
}

/** SQLite always; PostgreSQL too when PAGESCOPE_TEST_DATABASE_URL is set. */
export function testDialects(): Dialect[] {
  return testPgUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase extends Database {
  dataDir: string;
  /** Removes everything the test database left behind (temp dir, PostgreSQL schema). */
  destroy(): Promise<void>;
}

/** A fresh, migrated database: a new SQLite file in a temp dir, or a new PostgreSQL schema. */
export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-test-'));
  const schema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const database = await openDatabase({
    dataDir,
    databaseUrl: dialect === 'postgres' ? testPgUrl() : null,
    ...(schema ? { schema } : {}),
  });
  await migrateToLatest(database);
  return {
    ...database,
    dataDir,
    destroy: async () => {
      await database.close();
      const url = testPgUrl();
      if (schema && url) await dropSchema(url, schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares the same suite once per dialect. `body` receives a getter for the suite's database, opened before
 * the suite's tests and destroyed after them.
 */
export function forEachDialect(title: string, body: (db: () => TestDatabase, dialect: Dialect) => void): void {
  for (const dialect of testDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await openTestDatabase(dialect);
      });
      after(async () => {
        await database?.destroy();
      });
      body(() => {
        if (!database) throw new Error('test database not open yet');
        return database;
      }, dialect);
    });
  }
}
