import type SqliteDatabase from 'better-sqlite3';

// The intake keys raw webhook bodies are sealed under, wrapped by the keyring; destroyed once no body is left under
// them. `if not exists`, as in 0001: an older store already holds the table.
export function up(db: SqliteDatabase.Database): void {
  db.exec(
    'create table if not exists intake_keys (id text primary key, wrapped text not null, created_at integer not null)',
  );
}
