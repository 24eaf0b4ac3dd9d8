import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { dropSchema, openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Dialect } from '../../src/db/types.ts';

/** PostgreSQL for tests, read when needed (a benchmark may set it after start-up). */
const noticed = new Set<string>();

/**
 * A service's test URL. Unset, its suites are skipped: with CI set that fails the run (a green CI must have run
 * them); locally it says so loudly, once per test process.
 */
function serviceUrl(variable: string, service: string): string | null {
  const url = process.env[variable] || null;
  if (url) return url;
  if (process.env.CI)
    throw new Error(`CI is set but ${variable} is not: the ${service} suites would be skipped; set it (see .ci/run)`);
  if (!noticed.has(variable)) {
    noticed.add(variable);
    process.stderr.write(`\n*** ${variable} is not set: the ${service} suites of this file are SKIPPED ***\n\n`);
  }
  return null;
}

export function testPgUrl(): string | null {
  return serviceUrl('PAGESCOPE_TEST_DATABASE_URL', 'PostgreSQL');
}

export function testRedisUrl(): string | null {
  return serviceUrl('PAGESCOPE_TEST_REDIS_URL', 'Redis');
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
