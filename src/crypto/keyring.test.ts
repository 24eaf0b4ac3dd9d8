import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError } from '../errors.ts';
import { computeKeyCheck } from './key-hierarchy.ts';
import { Keyring, type FieldContext } from './keyring.ts';

const master = randomBytes(32);
const v1 = Keyring.wrapNewVersion(master, 1);
const ctx: FieldContext = { table: 'contacts', column: 'psid', pageId: '1717527131834678', rowId: 'ct_1' };

function fails(code: string): (err: unknown) => boolean {
  return (err) => err instanceof AppError && err.code === code;
}

test('a ciphertext carries its key version as a v<n>. prefix', () => {
  const ciphertext = Keyring.open(master, [v1]).encrypt('1256217357730577', ctx);
  assert.match(ciphertext, /^v1\.[A-Za-z0-9_-]+$/);
});

test('a ciphertext moved to another row, Page, column or table fails to decrypt', () => {
  const keyring = Keyring.open(master, [v1]);
  const ciphertext = keyring.encrypt('1256217357730577', ctx);
  for (const moved of [
    { ...ctx, rowId: 'ct_2' },
    { ...ctx, pageId: '999' },
    { ...ctx, pageId: null },
    { ...ctx, column: 'name' },
    { ...ctx, table: 'contacts_archive' },
  ]) {
    assert.throws(() => keyring.decrypt(ciphertext, moved), fails('decryption_failed'));
  }
});

test('two rows swapping their ciphertexts both fail to decrypt', () => {
  const keyring = Keyring.open(master, [v1]);
  const a = { ...ctx, rowId: 'ct_a' };
  const b = { ...ctx, rowId: 'ct_b' };
  const [ca, cb] = [keyring.encrypt('alice', a), keyring.encrypt('bob', b)];
  assert.throws(() => keyring.decrypt(cb, a), fails('decryption_failed'));
  assert.throws(() => keyring.decrypt(ca, b), fails('decryption_failed'));
});

test('context fields are length-prefixed, so shifting a boundary or turning null into "" is another context', () => {
  const keyring = Keyring.open(master, [v1]);
  const ciphertext = keyring.encrypt('x', { table: 'a', column: 'bc', pageId: null, rowId: 'r' });
  assert.throws(
    () => keyring.decrypt(ciphertext, { table: 'ab', column: 'c', pageId: null, rowId: 'r' }),
    fails('decryption_failed'),
  );
  assert.throws(
    () => keyring.decrypt(ciphertext, { table: 'a', column: 'bc', pageId: '', rowId: 'r' }),
    fails('decryption_failed'),
  );
});

test('a wrong master key fails at open with wrong_master_key, with or without a stored key check', () => {
  const other = randomBytes(32);
  assert.throws(() => Keyring.open(other, [v1], computeKeyCheck(master)), fails('wrong_master_key'));
  assert.throws(() => Keyring.open(other, [v1]), fails('wrong_master_key'));
  assert.throws(() => Keyring.open(master, [v1], computeKeyCheck(other)), fails('wrong_master_key'));
});

test('the right master key with its key check opens the keyring', () => {
  assert.equal(Keyring.open(master, [v1], computeKeyCheck(master)).currentVersion, 1);
});

test('a damaged wrapped key under a verified master key is reported as damage, not as a wrong key', () => {
  const damaged = { ...v1, wrapped: v1.wrapped.slice(0, -4) + (v1.wrapped.endsWith('AAAA') ? 'BBBB' : 'AAAA') };
  assert.throws(() => Keyring.open(master, [damaged], computeKeyCheck(master)), fails('decryption_failed'));
});

test('a wrapped key relabelled as another version does not unwrap', () => {
  assert.throws(() => Keyring.open(master, [{ ...v1, version: 2 }]), fails('wrong_master_key'));
});

test('opening with no key versions asks for pagescope init', () => {
  assert.throws(
    () => Keyring.open(master, []),
    (err) => err instanceof AppError && /pagescope init/.test(err.message),
  );
});

test('the newest version is current; older versions still decrypt and need a rewrap', () => {
  const before = Keyring.open(master, [v1]);
  const old = before.encrypt('hello', ctx);
  const keyring = Keyring.open(master, [v1, Keyring.wrapNewVersion(master, 2)]);
  assert.equal(keyring.currentVersion, 2);
  assert.deepEqual(keyring.versions(), [1, 2]);
  assert.equal(keyring.decrypt(old, ctx), 'hello');
  assert.equal(keyring.needsRewrap(old), true);
  const rewrapped = keyring.rewrap(old, ctx);
  assert.equal(keyring.versionOf(rewrapped), 2);
  assert.equal(keyring.needsRewrap(rewrapped), false);
  assert.equal(keyring.decrypt(rewrapped, ctx), 'hello');
});

test('a version added after start-up becomes current in a running keyring', () => {
  const keyring = Keyring.open(master, [v1]);
  keyring.addVersion(Keyring.wrapNewVersion(master, 2));
  assert.equal(keyring.currentVersion, 2);
  assert.equal(keyring.versionOf(keyring.encrypt('x', ctx)), 2);
});

test('a ciphertext of a version the keyring does not hold fails to decrypt', () => {
  const newer = Keyring.open(master, [v1, Keyring.wrapNewVersion(master, 2)]);
  const ciphertext = newer.encrypt('hello', ctx);
  assert.throws(() => Keyring.open(master, [v1]).decrypt(ciphertext, ctx), fails('decryption_failed'));
});

test('the same data under another master key decrypts nothing and gives other blind indexes', () => {
  const ciphertext = Keyring.open(master, [v1]).encrypt('hello', ctx);
  const other = randomBytes(32);
  const stranger = Keyring.open(other, [Keyring.wrapNewVersion(other, 1)]);
  assert.throws(() => stranger.decrypt(ciphertext, ctx), fails('decryption_failed'));
  assert.notEqual(stranger.blindIndex('hello', 'psid'), Keyring.open(master, [v1]).blindIndex('hello', 'psid'));
});

test('blind indexes and token hashes are full 32-byte HMACs, deterministic and stable across opens', () => {
  const a = Keyring.open(master, [v1]);
  const b = Keyring.open(master, [v1, Keyring.wrapNewVersion(master, 2)]);
  assert.equal(Buffer.from(a.blindIndex('1256217357730577', 'psid'), 'base64url').length, 32);
  assert.equal(a.blindIndex('1256217357730577', 'psid'), b.blindIndex('1256217357730577', 'psid'));
  assert.equal(a.hashToken('psk_abc'), b.hashToken('psk_abc'));
  assert.equal(Buffer.from(a.hashToken('psk_abc'), 'base64url').length, 32);
  assert.notEqual(a.hashToken('psk_abc'), a.hashToken('psk_abd'));
});

test('a blind-index purpose outside a-z, 0-9, _, : and - is refused', () => {
  const keyring = Keyring.open(master, [v1]);
  for (const purpose of ['', 'PSID', 'a b', ':x', 'x'.repeat(101)]) {
    assert.throws(() => keyring.blindIndex('v', purpose), fails('internal'));
  }
  assert.notEqual(keyring.blindIndex('v', 'attribute:first_name'), keyring.blindIndex('v', 'attribute:last_name'));
});

test('a logged or serialised keyring shows its versions and no key material', () => {
  const keyring = Keyring.open(master, [v1]);
  const shown = inspect(keyring, { showHidden: true, depth: 5 }) + JSON.stringify(keyring);
  assert.match(shown, /"currentVersion":1/);
  assert.doesNotMatch(shown, /KeyObject|Buffer|wrapped/);
  assert.ok(!shown.includes(master.toString('base64')) && !shown.includes(master.toString('hex')));
});

test('versionOf refuses something that is not a keyring ciphertext', () => {
  const keyring = Keyring.open(master, [v1]);
  for (const text of ['', 'hello', 'v0.AAAA', 'v1.', 'v1.a+b', 'V1.AAAA']) {
    assert.throws(() => keyring.versionOf(text), fails('decryption_failed'));
  }
});

test('bytes sealed as bytes open only for the same place, and a changed byte fails', () => {
  const keyring = Keyring.open(master, [v1]);
  const record = { table: 'webhook_spool', column: 'record', pageId: null, rowId: '7' };
  const sealed = keyring.encryptBytes(Buffer.from('a spooled webhook body'), record);
  assert.equal(sealed.readUInt32BE(0), 1, 'the key version leads');
  assert.equal(keyring.decryptBytes(sealed, record).toString(), 'a spooled webhook body');
  assert.throws(() => keyring.decryptBytes(sealed, { ...record, rowId: '8' }), fails('decryption_failed'));
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => keyring.decryptBytes(tampered, record), fails('decryption_failed'));
  assert.throws(() => keyring.decryptBytes(Buffer.alloc(3), record), fails('decryption_failed'));
});

test('a keyring rebuilt from its transfer (as a worker thread receives it) encrypts, decrypts and indexes as the original', () => {
  const keyring = Keyring.open(master, [v1, Keyring.wrapNewVersion(master, 2)]);
  const copy = Keyring.fromTransfer(keyring.transfer());
  assert.equal(copy.currentVersion, 2);
  assert.equal(copy.decrypt(keyring.encrypt('1256217357730577', ctx), ctx), '1256217357730577');
  assert.equal(keyring.decrypt(copy.encrypt('1256217357730577', ctx), ctx), '1256217357730577');
  assert.equal(copy.blindIndex('1256217357730577', 'psid'), keyring.blindIndex('1256217357730577', 'psid'));
  assert.equal(copy.hashToken('tok'), keyring.hashToken('tok'));
});
