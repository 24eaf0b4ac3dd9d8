import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Keyring } from '../crypto/index.ts';
import { ContactKeyStore } from '../crypto/contact-key-store.ts';
import { migrateContactKeys } from './migrate-contact-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'pagescope-contact-keys-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);
const applied = (db: SqliteDatabase.Database) =>
  (db.prepare('select name from contact_keys_migrations order by name').all() as { name: string }[]).map((r) => r.name);

test('a new store gets every step once, and a second run applies nothing', () => {
  const db = new SqliteDatabase(join(dir, 'new.db'));
  try {
    assert.deepEqual(migrateContactKeys(db), ['0001-contact-keys', '0002-intake-keys']);
    assert.deepEqual(migrateContactKeys(db), []);
    const tables = (
      db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]
    ).map((r) => r.name);
    assert.deepEqual(tables, ['contact_keys', 'contact_keys_migrations', 'destroyed_keys', 'intake_keys']);
  } finally {
    db.close();
  }
});

test('a store the code before the migrator created opens, adopts its tables, and keeps its keys and erasures', () => {
  const file = join(dir, 'old.db');
  // Exactly what ContactKeyStore.open ran before the schema moved under migrations.
  const old = new SqliteDatabase(file);
  old.pragma('journal_mode = WAL');
  old.exec(`create table if not exists contact_keys (contact_id text primary key, page_id text, wrapped text not null,
      created_at integer not null);
      create table if not exists destroyed_keys (contact_id text primary key, destroyed_at integer not null);
      create table if not exists intake_keys (id text primary key, wrapped text not null,
        created_at integer not null);`);
  old.prepare('insert into destroyed_keys (contact_id, destroyed_at) values (?, ?)').run('ct_erased', 1);
  const raw = randomBytes(32);
  old
    .prepare('insert into intake_keys (id, wrapped, created_at) values (?, ?, ?)')
    .run('ik_old', keyring.encrypt(raw, { table: 'intake_keys', column: 'key', pageId: null, rowId: 'ik_old' }), 1);
  old.close();

  const store = ContactKeyStore.open(file, keyring);
  let contactKey: Buffer;
  try {
    assert.notEqual(store.intakeKey('ik_old'), null, 'the intake key written before the migrator still opens');
    assert.equal(store.isDestroyed('ct_erased'), true, 'an erasure recorded before the migrator still counts');
    contactKey = store.keyFor('ct_new', 'page').export();
  } finally {
    store.close();
  }
  const db = new SqliteDatabase(file);
  try {
    assert.deepEqual(applied(db), ['0001-contact-keys', '0002-intake-keys']);
  } finally {
    db.close();
  }
  const again = ContactKeyStore.open(file, keyring);
  try {
    assert.deepEqual(again.existingKey('ct_new')?.export(), contactKey, 'a key made after the migration opens again');
  } finally {
    again.close();
  }
});
