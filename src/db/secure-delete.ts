import { sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * SQLite: zeroes the pages and cells that deletions free from now on (secure_delete), so deleted ciphertexts and
 * blind indexes do not linger in the database file. Nothing on PostgreSQL (its dead rows go with VACUUM).
 */
export async function zeroFreedPages(database: Database): Promise<void> {
  if (database.dialect === 'sqlite') await sql`pragma secure_delete = on`.execute(database.db);
}
