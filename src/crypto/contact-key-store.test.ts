import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import SqliteDatabase from 'better-sqlite3';
import { join } from 'node:path';
import { Keyring } from './index.ts';
import { open, seal } from './aead.ts';
import { ContactKeyStore } from './contact-key-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'pagescope-keys-'));
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);
const store = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
const aad = Buffer.from('x');
const WRAPPED = /v1\.[A-Za-z0-9_-]{40,}/g;
/** The store's bytes on disk, main file and WAL together, as a backup would see them. */
const fileText = () =>
  ['', '-wal']
    .map((s) => join(dir, `contact-keys.db${s}`))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');

test('gives a contact the same key every time, and different contacts different keys', () => {
  const sealed = seal(store.keyFor('ct_a', '1001'), Buffer.from('hello'), aad);
  assert.equal(open(store.keyFor('ct_a', '1001'), sealed, aad)?.toString(), 'hello');
  assert.equal(open(store.keyFor('ct_b', '1001'), sealed, aad), null);
});

test('keeps keys only wrapped: another master key cannot open the store', () => {
  const otherMaster = randomBytes(32);
  const other = ContactKeyStore.open(
    join(dir, 'contact-keys.db'),
    Keyring.open(otherMaster, [Keyring.wrapNewVersion(otherMaster, 1)]),
  );
  assert.throws(() => other.existingKey('ct_a'), { code: 'decryption_failed' });
  other.close();
});

test('a second process sees the key the first created', () => {
  const second = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
  const sealed = seal(store.keyFor('ct_c', '1001'), Buffer.from('shared'), aad);
  assert.equal(open(second.existingKey('ct_c')!, sealed, aad)?.toString(), 'shared');
  second.close();
});

test('destroying a key is final: it is gone from the file, and no new key is made for that contact', () => {
  store.keyFor('ct_d', '1001');
  const before = new Set(fileText().match(WRAPPED));
  assert.equal(store.destroy('ct_d', Date.now()), true);
  assert.equal(store.existingKey('ct_d'), null);
  assert.throws(() => store.keyFor('ct_d', '1001'), { code: 'erased' });
  assert.equal(store.destroy('ct_d', Date.now()), false);
  assert.equal(before.size, 4, 'the files held four wrapped keys before');
  assert.equal(store.count(), 3);
  assert.equal(new Set(fileText().match(WRAPPED)).size, 3, 'only the three live keys remain on disk');
});

test('a key destroyed by another process can no longer seal here, even while cached', () => {
  const other = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
  store.keyFor('ct_e', '1001');
  other.destroy('ct_e', Date.now());
  other.close();
  assert.throws(() => store.keyFor('ct_e', '1001'), { code: 'erased' });
});

test('after a key rotation, re-wraps the contact keys under the new version and they still open the same data', () => {
  const sealed = seal(store.keyFor('ct_f', '1001'), Buffer.from('kept'), aad);
  keyring.addVersion(Keyring.wrapNewVersion(master, 2));
  const rotated = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
  assert.equal(rotated.rewrapAll(), rotated.count());
  assert.equal(rotated.rewrapAll(), 0);
  assert.equal((fileText().match(/v2\.[A-Za-z0-9_-]{40,}/g) ?? []).length >= rotated.count(), true);
  assert.equal(open(rotated.existingKey('ct_f')!, sealed, aad)?.toString(), 'kept');
  rotated.close();
});

test('an intake key destroyed is gone from the file and its WAL; the newest key is the current one', () => {
  const now = Date.now();
  const first = store.currentIntakeKey(now);
  assert.equal(store.currentIntakeKey(now).id, first.id, 'the same key until a new one is made');
  const second = store.createIntakeKey(now);
  assert.equal(store.currentIntakeKey(now).id, second.id);
  const reader = new SqliteDatabase(join(dir, 'contact-keys.db'), { readonly: true });
  const { wrapped } = reader.prepare('select wrapped from intake_keys where id = ?').get(first.id) as {
    wrapped: string;
  };
  reader.close();
  assert.ok(fileText().includes(wrapped));
  assert.equal(store.destroyIntakeKeys([first.id]), 1);
  assert.equal(store.intakeKey(first.id), null);
  assert.ok(!fileText().includes(wrapped), 'no copy of the wrapped key is left in the file or its WAL');
  assert.deepEqual(
    store.intakeKeyList().map((k) => k.id),
    [second.id],
  );
});

test('keys made in a batching scope are stored together when it ends, and none when it fails', async () => {
  const before = store.count();
  const sealed = await store.batchingKeys(async () => {
    const s = seal(store.keyFor('ct_batch1', '1001'), Buffer.from('one'), aad);
    store.keyFor('ct_batch2', '1001');
    assert.equal(store.count(), before, 'nothing is written before the scope ends');
    assert.equal(open(store.existingKey('ct_batch1')!, s, aad)?.toString(), 'one', 'the scope sees its own keys');
    return s;
  });
  assert.equal(store.count(), before + 2);
  const second = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
  assert.equal(open(second.existingKey('ct_batch1')!, sealed, aad)?.toString(), 'one');
  await assert.rejects(
    store.batchingKeys(async () => {
      store.keyFor('ct_batch3', '1001');
      throw new Error('the caller failed');
    }),
    /the caller failed/,
  );
  assert.equal(store.existingKey('ct_batch3'), null);
  await assert.rejects(
    store.batchingKeys(async () => {
      store.keyFor('ct_batch4', '1001');
      store.keyFor('ct_batch5', '1001');
      second.keyFor('ct_batch5', '1001');
    }),
    { code: 'conflict' },
  );
  assert.equal(store.existingKey('ct_batch4'), null, 'a conflict stores none of the keys of the scope');
  second.close();
});

test('inside processing scopes, a key another process destroyed is refused from the next scope on', async () => {
  const other = ContactKeyStore.open(join(dir, 'contact-keys.db'), keyring);
  await store.deferringSync(async () => {
    store.keyFor('ct_scope_a', '1001');
    store.keyFor('ct_scope_b', '1001');
    store.keyFor('ct_scope_c', '1001');
  });
  await store.deferringSync(async () => {
    store.keyFor('ct_scope_a', '1001');
    other.destroy('ct_scope_a', Date.now());
  });
  await store.deferringSync(async () => {
    assert.throws(() => store.keyFor('ct_scope_a', '1001'), { code: 'erased' });
    assert.ok(store.keyFor('ct_scope_b', '1001'));
    // A key this store destroys itself is refused at once, inside the same scope.
    store.destroy('ct_scope_b', Date.now());
    assert.throws(() => store.keyFor('ct_scope_b', '1001'), { code: 'erased' });
  });
  // Outside a scope, every seal checks.
  other.destroy('ct_scope_c', Date.now());
  assert.throws(() => store.keyFor('ct_scope_c', '1001'), { code: 'erased' });
  other.close();
});
