import type SqliteDatabase from 'better-sqlite3';

// The contact key store (contact-keys.db, beside the main database, never inside it): each contact's data key wrapped
// by the keyring, and the contacts whose key erasure destroyed (so a key is never made again for them). `if not
// exists`: a store that the code before this migrator created already holds these tables, and adopts them as they are.
export function up(db: SqliteDatabase.Database): void {
  db.exec(`create table if not exists contact_keys (contact_id text primary key, page_id text, wrapped text not null,
      created_at integer not null);
    create table if not exists destroyed_keys (contact_id text primary key, destroyed_at integer not null);`);
}
