import { sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * SQLite: copies every WAL frame into the database file and truncates the WAL to nothing, so the older page images
 * it held (a raw body before it was dropped, a row before it was deleted) are not left in a copy of the data dir.
 * Best effort: a reader in another process may hold some frames back; the next call finishes. No-op on PostgreSQL.
 */
export async function truncateWal(database: Database): Promise<void> {
  if (database.dialect !== 'sqlite') return;
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
}
