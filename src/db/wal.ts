import { sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * SQLite: copies every WAL frame into the database file and truncates the WAL to nothing, so the older page images
 * it held (a raw body before it was dropped, a row before it was deleted) are not left in a copy of the data dir.
 * It does not wait: when another connection is writing or reading an older snapshot it gives up at once (so the
 * event loop is never held behind the busy timeout) and returns false; call it again later. True on PostgreSQL.
 */
export async function truncateWalNow(database: Database): Promise<boolean> {
  if (database.dialect !== 'sqlite') return true;
  // One connection held throughout, so no other query runs while the busy timeout is off.
  return database.db.connection().execute(async (conn) => {
    const timeout = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn)).rows[0]?.timeout ?? 10_000;
    await sql`pragma busy_timeout = 0`.execute(conn);
    try {
      const r = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(conn);
      return r.rows[0]?.busy === 0;
    } catch {
      return false;
    } finally {
      await sql`pragma busy_timeout = ${sql.raw(String(Math.trunc(Number(timeout))))}`.execute(conn);
    }
  });
}

/**
 * SQLite: copies every WAL frame into the database file and truncates the WAL, waiting (up to the busy timeout) for
 * writers, unlike truncateWalNow. Best effort: a reader in another process may hold part of it back; the next
 * checkpoint finishes the job. Nothing on PostgreSQL.
 */
export async function checkpointWal(database: Database): Promise<void> {
  if (database.dialect === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
}
