import type SqliteDatabase from 'better-sqlite3';
import * as m0001 from './migrations/contact-keys/0001-contact-keys.ts';
import * as m0002 from './migrations/contact-keys/0002-intake-keys.ts';

type Step = { up(db: SqliteDatabase.Database): void };

/** The contact key store's schema, in order; a separate list from the main database's (it is another file). */
const STEPS: [string, Step][] = [
  ['0001-contact-keys', m0001],
  ['0002-intake-keys', m0002],
];

const TABLE = 'contact_keys_migrations';

/**
 * Applies the contact key store's pending migrations in one immediate transaction, so two processes opening the store
 * together apply each step once. Synchronous, as the store's driver is; safe to run on every open. Returns the names
 * of the steps it applied.
 */
export function migrateContactKeys(db: SqliteDatabase.Database, now: number = Date.now()): string[] {
  return db
    .transaction(() => {
      db.exec(`create table if not exists ${TABLE} (name text primary key, applied_at integer not null)`);
      const done = new Set((db.prepare(`select name from ${TABLE}`).all() as { name: string }[]).map((r) => r.name));
      const applied: string[] = [];
      for (const [name, step] of STEPS) {
        if (done.has(name)) continue;
        step.up(db);
        db.prepare(`insert into ${TABLE} (name, applied_at) values (?, ?)`).run(name, now);
        applied.push(name);
      }
      return applied;
    })
    .immediate();
}
