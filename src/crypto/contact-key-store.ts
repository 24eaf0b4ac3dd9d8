// Per-contact data keys, kept OUTSIDE the main database. Contact-owned fields are sealed under their contact's key
// (inside the usual keyring ciphertext), so destroying the key here makes every copy of those fields unreadable,
// including database backups taken before the erasure. Each key is itself wrapped by the keyring, so this file
// alone reveals nothing either: reading a contact's data takes the master key, the main database AND this store.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import type { FieldContext, Keyring } from './index.ts';
import { AppError } from '../errors.ts';
import { privateFile } from '../lib/private-files.ts';
import { walFlusher } from '../db/database.ts';
import { openSqliteFile } from '../db/sqlite-file.ts';
import { migrateContactKeys } from '../db/migrate-contact-keys.ts';
import { newId } from '../lib/ids.ts';

const KEY_BYTES = 32;
// Another process may destroy a key; a short cache life bounds how long this process can still use it.
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;

interface Cached {
  key: KeyObject;
  until: number;
}

/** An intake key, by its id (which every body sealed under it names). */
export interface IntakeKey {
  id: string;
  key: KeyObject;
}

/**
 * Keys created for one `deferringSync` scope, not yet flushed to disk: passed explicitly to `keyFor` by the code that
 * runs in the scope (an AsyncLocalStorage would make every promise of the thread pay for its hooks).
 */
export interface KeyDeferral {
  unsynced: number;
}

/** A key made inside `batchingKeys`, held in memory until its scope stores every such key at once. */
interface Pending {
  pageId: string | null;
  wrapped: string;
  key: KeyObject;
}

/**
 * One SQLite file of wrapped contact keys, plus the list of contacts whose key was destroyed, and the intake keys raw
 * webhook bodies are sealed under (see intake-keys.ts).
 */
export class ContactKeyStore {
  readonly #db: SqliteDatabase.Database;
  readonly #flushWal: ReturnType<typeof walFlusher>;
  // Only `batchingKeys` (imports) runs this storage, so processing threads never pay for its promise hooks.
  readonly #batch = new AsyncLocalStorage<Map<string, Pending>>();
  readonly #insert: SqliteDatabase.Statement<[string, string | null, string, number]>;
  readonly #keyring: Keyring;
  readonly #cache = new Map<string, Cached>();
  // Prepared once: the destroyed check runs on every seal outside a processing scope.
  readonly #isDestroyed: SqliteDatabase.Statement<[string]>;
  readonly #dataVersion: SqliteDatabase.Statement<[]>;
  // Contacts whose key was found not destroyed, trusted while a deferringSync scope runs and no other connection wrote
  // to the store since they were checked (see #openScope).
  readonly #live = new Set<string>();
  #liveVersion: unknown = null;
  #scopes = 0;
  readonly #select: SqliteDatabase.Statement<[string]>;
  readonly #intakeCache = new Map<string, Cached>();
  readonly #newestIntake: SqliteDatabase.Statement<[]>;
  readonly #selectIntake: SqliteDatabase.Statement<[string]>;
  // The processor looks at the list each time it has caught up.
  readonly #listIntake: SqliteDatabase.Statement<[]>;

  private constructor(db: SqliteDatabase.Database, keyring: Keyring, file: string) {
    this.#db = db;
    this.#flushWal = walFlusher(file);
    this.#keyring = keyring;
    this.#isDestroyed = db.prepare('select 1 from destroyed_keys where contact_id = ?');
    this.#dataVersion = db.prepare('pragma data_version').pluck();
    this.#select = db.prepare('select wrapped, page_id from contact_keys where contact_id = ?');
    this.#insert = db.prepare(
      'insert or ignore into contact_keys (contact_id, page_id, wrapped, created_at) values (?, ?, ?, ?)',
    );
    this.#newestIntake = db.prepare('select id from intake_keys order by id desc limit 1');
    this.#selectIntake = db.prepare('select wrapped from intake_keys where id = ?');
    this.#listIntake = db.prepare('select id, created_at from intake_keys order by id desc');
  }

  /** Opens (creating if needed) the store; secure_delete zeroes a destroyed key's bytes in the file itself. */
  static open(file: string, keyring: Keyring): ContactKeyStore {
    // 0600 wherever PAGESCOPE_CONTACT_KEYS_FILE puts it (SQLite's -wal and -shm follow the file's mode); a dir made
    // for it is 0700, an existing one is the operator's.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    privateFile(file);
    const db = openSqliteFile(file, { synchronous: 'FULL', secureDelete: true });
    try {
      migrateContactKeys(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new ContactKeyStore(db, keyring, file);
  }

  /**
   * The contact's key, created on first use; `erased` once it was destroyed, so nothing new is sealed under it. A key
   * created with a `deferral` is written without its own fsync: the scope's `deferringSync` flushes it.
   */
  keyFor(contactId: string, pageId: string | null, deferral?: KeyDeferral): KeyObject {
    // A key made in this batching scope is not stored yet: nothing can have destroyed it.
    const pending = this.#batch.getStore()?.get(contactId);
    if (pending) return pending.key;
    // Checked on every seal outside a processing scope: another process may have destroyed the key a moment ago.
    // Inside one, once per contact while nothing else wrote to the store (see #openScope).
    const trusted = this.#scopes > 0 && this.#live.has(contactId);
    if (!trusted && this.isDestroyed(contactId)) {
      this.#cache.delete(contactId);
      throw new AppError('erased', 'this contact was erased');
    }
    if (!trusted && this.#scopes > 0) {
      if (this.#live.size >= CACHE_MAX) this.#live.clear();
      this.#live.add(contactId);
    }
    const found = this.existingKey(contactId);
    if (found) return found;
    const raw = randomBytes(KEY_BYTES);
    const wrapped = this.#keyring.encrypt(raw, wrapContext(contactId, pageId));
    const batch = this.#batch.getStore();
    if (batch) {
      const key = createSecretKey(raw);
      raw.fill(0);
      batch.set(contactId, { pageId, wrapped, key });
      return key;
    }
    // Two processes may race to create the key: the first insert wins and both use the stored one.
    const insert = () => this.#insert.run(contactId, pageId, wrapped, Date.now());
    if (deferral) {
      // Without its own fsync: `deferringSync` flushes every key of its scope at once before its caller commits.
      // The pragma is set and reset around this one synchronous statement, so no other insert runs meanwhile.
      this.#db.pragma('synchronous = NORMAL');
      try {
        insert();
      } finally {
        this.#db.pragma('synchronous = FULL');
      }
      deferral.unsynced++;
    } else {
      insert();
    }
    raw.fill(0);
    const key = this.existingKey(contactId);
    if (!key) throw new AppError('internal', 'a contact key could not be stored');
    return key;
  }

  /**
   * Runs `fn` with a deferral: the keys it creates through `keyFor(…, deferral)` are written without an fsync each,
   * then made durable all at once by one flush of the store's log (in the thread pool, off the event loop) before it
   * returns. Call it inside a transaction of the main database, so that no commit there refers to a key that is not
   * on disk. A thousand new contacts in one processing turn then cost one flush, not a thousand.
   */
  async deferringSync<T>(fn: (deferral: KeyDeferral) => Promise<T>): Promise<T> {
    const deferral: KeyDeferral = { unsynced: 0 };
    this.#openScope();
    try {
      const result = await fn(deferral);
      if (deferral.unsynced > 0) await this.#flushWal();
      return result;
    } finally {
      this.#scopes--;
    }
  }

  /**
   * A scope (a processing turn) checks each contact's key against the destroyed list once, not at every seal: the
   * contacts found live stay trusted from scope to scope until another connection commits to the store (SQLite's
   * `data_version` tells, read once a scope), and this connection's own destroy() forgets them all. A key another
   * process destroys during a scope is seen at the next one: what the scope sealed under it before then is in the same
   * place as what it sealed before the destruction, in a transaction that commits after it, unreadable without the key.
   */
  #openScope(): void {
    this.#scopes++;
    const version = this.#dataVersion.get();
    if (version !== this.#liveVersion) {
      this.#live.clear();
      this.#liveVersion = version;
    }
  }

  /**
   * Runs `fn` with the keys it creates held in memory, then stores them all in one transaction of the store (one
   * flush to disk, not one per key) before it returns: call it inside a transaction of the main database, so that no
   * commit there refers to a key that is not on disk. When `fn` throws, none of its keys is stored (its caller's
   * transaction, which is all they sealed, rolls back too). When another process stored a key for one of the same
   * contacts meanwhile, what `fn` sealed under the key made here could not be opened: the whole scope fails
   * (`conflict`) instead, and the caller's transaction rolls back and can be tried again.
   */
  async batchingKeys<T>(fn: () => Promise<T>): Promise<T> {
    const batch = new Map<string, Pending>();
    const result = await this.#batch.run(batch, fn);
    if (batch.size === 0) return result;
    const now = Date.now();
    try {
      this.#db.transaction(() => {
        for (const [contactId, p] of batch)
          if (this.#insert.run(contactId, p.pageId, p.wrapped, now).changes === 0)
            throw new AppError('conflict', 'another process created the same contact key meanwhile: try again');
      })();
    } catch (err) {
      for (const contactId of batch.keys()) this.#cache.delete(contactId);
      throw err;
    }
    return result;
  }

  /** The contact's key, or null when it never existed or was destroyed. */
  existingKey(contactId: string): KeyObject | null {
    const pending = this.#batch.getStore()?.get(contactId);
    if (pending) return pending.key;
    return this.#unwrapCached(this.#cache, contactId, () => {
      const row = this.#select.get(contactId) as { wrapped: string; page_id: string | null } | undefined;
      return row && { wrapped: row.wrapped, context: wrapContext(contactId, row.page_id) };
    });
  }

  /**
   * A key from `cache` while its cache life lasts, else unwrapped from the row `load` finds (null when there is none:
   * never created, or destroyed here or by another process), and cached. The raw bytes are zeroed once wrapped in a
   * KeyObject.
   */
  #unwrapCached(
    cache: Map<string, Cached>,
    id: string,
    load: () => { wrapped: string; context: FieldContext } | undefined,
  ): KeyObject | null {
    const now = Date.now();
    const hit = cache.get(id);
    if (hit && hit.until > now) return hit.key;
    cache.delete(id);
    const row = load();
    if (!row) return null;
    const raw = this.#keyring.decryptBuffer(row.wrapped, row.context);
    const key = createSecretKey(raw);
    raw.fill(0);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(id, { key, until: now + CACHE_TTL_MS });
    return key;
  }

  isDestroyed(contactId: string): boolean {
    return this.#isDestroyed.get(contactId) !== undefined;
  }

  /**
   * Destroys the contact's key for good and checkpoints the file so no copy of it stays in the WAL. Idempotent;
   * returns whether a key existed.
   */
  destroy(contactId: string, now: number): boolean {
    this.#cache.delete(contactId);
    this.#live.clear();
    const removed = this.#db.transaction(() => {
      const n = this.#db.prepare('delete from contact_keys where contact_id = ?').run(contactId).changes;
      this.#db
        .prepare('insert or ignore into destroyed_keys (contact_id, destroyed_at) values (?, ?)')
        .run(contactId, now);
      return n;
    })();
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return removed > 0;
  }

  /** The newest intake key: the one raw bodies are sealed under. One is made when there is none. */
  currentIntakeKey(now: number): IntakeKey {
    const newest = this.#newestIntake.get() as { id: string } | undefined;
    const key = newest && this.intakeKey(newest.id);
    return key ? { id: newest.id, key } : this.createIntakeKey(now);
  }

  /** Makes a new intake key, durable before it returns (synchronous = FULL), which is the current one from then on. */
  createIntakeKey(now: number): IntakeKey {
    const id = newId('ik', now);
    const raw = randomBytes(KEY_BYTES);
    this.#db
      .prepare('insert into intake_keys (id, wrapped, created_at) values (?, ?, ?)')
      .run(id, this.#keyring.encrypt(raw, intakeWrapContext(id)), now);
    raw.fill(0);
    const key = this.intakeKey(id);
    if (!key) throw new AppError('internal', 'an intake key could not be stored');
    return { id, key };
  }

  /** An intake key by id, or null once it was destroyed (here or by another process). */
  intakeKey(id: string): KeyObject | null {
    return this.#unwrapCached(this.#intakeCache, id, () => {
      const row = this.#selectIntake.get(id) as { wrapped: string } | undefined;
      return row && { wrapped: row.wrapped, context: intakeWrapContext(id) };
    });
  }

  /** The intake keys the store still holds (ids, never the keys), newest first: the first is the current one. */
  intakeKeyList(): { id: string; created_at: number }[] {
    return this.#listIntake.all() as { id: string; created_at: number }[];
  }

  /**
   * Destroys intake keys for good: deleted (zeroed, secure_delete), the WAL checkpointed and emptied, and the file
   * rewritten (VACUUM), since a delete zeroes the cell but not the copies that earlier page splits and merges left in
   * the unused space of other pages. Returns how many existed.
   */
  destroyIntakeKeys(ids: readonly string[]): number {
    if (ids.length === 0) return 0;
    for (const id of ids) this.#intakeCache.delete(id);
    const remove = this.#db.prepare('delete from intake_keys where id = ?');
    const removed = this.#db.transaction(() => ids.reduce((n, id) => n + remove.run(id).changes, 0))();
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    try {
      this.#db.exec('vacuum');
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Another process held the file past the busy timeout: the keys are gone (zeroed); the next destruction
      // rewrites the file.
    }
    return removed;
  }

  /**
   * Re-wraps every contact key still under an old keyring version (run it after `keys rotate`, before any old
   * version is retired: rotation re-wraps the main database only). Idempotent; returns how many it re-wrapped.
   */
  rewrapAll(): number {
    return (
      this.#rewrapTable('contact_keys', 'contact_id', (r) => wrapContext(r.id, r.page_id ?? null)) +
      this.#rewrapTable('intake_keys', 'id', (r) => intakeWrapContext(r.id))
    );
  }

  /** Re-wraps the keys of one table that an old keyring version wraps; returns how many. */
  #rewrapTable(
    table: 'contact_keys' | 'intake_keys',
    idColumn: string,
    context: (r: { id: string; page_id?: string | null }) => FieldContext,
  ): number {
    const pageColumn = table === 'contact_keys' ? ', page_id' : '';
    const rows = this.#db.prepare(`select ${idColumn} as id, wrapped${pageColumn} from ${table}`).all() as {
      id: string;
      wrapped: string;
      page_id?: string | null;
    }[];
    const update = this.#db.prepare(`update ${table} set wrapped = ? where ${idColumn} = ? and wrapped = ?`);
    let n = 0;
    for (const r of rows) {
      if (!this.#keyring.needsRewrap(r.wrapped)) continue;
      n += update.run(this.#keyring.rewrap(r.wrapped, context(r)), r.id, r.wrapped).changes;
    }
    return n;
  }

  /** How many contact and intake keys each keyring version wraps (for `keys status`). */
  countByVersion(version: number): number {
    const count = (table: string) => {
      const n = this.#db.prepare(`select count(*) as n from ${table} where wrapped like ?`).get(`v${version}.%`);
      return (n as { n: number }).n;
    };
    return count('contact_keys') + count('intake_keys');
  }

  /** How many live keys the store holds (for status and tests). */
  count(): number {
    return (this.#db.prepare('select count(*) as n from contact_keys').get() as { n: number }).n;
  }

  /** Closes the file; idempotent (the context's one close path may run after a failed start closed it). */
  close(): void {
    if (!this.#db.open) return;
    this.#cache.clear();
    this.#intakeCache.clear();
    this.#db.close();
    void this.#flushWal.close();
  }
}

function wrapContext(contactId: string, pageId: string | null) {
  return { table: 'contact_keys', column: 'key', pageId, rowId: contactId };
}

function intakeWrapContext(id: string) {
  return { table: 'intake_keys', column: 'key', pageId: null, rowId: id };
}
