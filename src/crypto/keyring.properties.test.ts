import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { Keyring, type FieldContext } from './keyring.ts';

const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
const anyContext: fc.Arbitrary<FieldContext> = fc.record({
  table: fc.string({ maxLength: 12 }),
  column: fc.string({ maxLength: 12 }),
  pageId: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  rowId: fc.string({ maxLength: 20 }),
});

function isDecryptionFailure(err: unknown): boolean {
  return err instanceof AppError && err.code === 'decryption_failed';
}

test('any string round-trips through encrypt and decrypt, the empty string and any Unicode included', () => {
  fc.assert(
    fc.property(anyText, anyContext, (text, ctx) => {
      assert.equal(keyring.decrypt(keyring.encrypt(text, ctx), ctx), text);
    }),
  );
  const ctx = { table: 't', column: 'c', pageId: null, rowId: 'r' };
  assert.equal(keyring.decrypt(keyring.encrypt('', ctx), ctx), '');
});

test('any byte string round-trips through encrypt and decryptBuffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), anyContext, (bytes, ctx) => {
      assert.deepEqual(keyring.decryptBuffer(keyring.encrypt(Buffer.from(bytes), ctx), ctx), Buffer.from(bytes));
    }),
  );
});

test('the same value encrypted twice gives different ciphertexts but the same blind index', () => {
  fc.assert(
    fc.property(anyText, anyContext, (text, ctx) => {
      assert.notEqual(keyring.encrypt(text, ctx), keyring.encrypt(text, ctx));
      assert.equal(keyring.blindIndex(text, 'psid'), keyring.blindIndex(text, 'psid'));
    }),
  );
});

test('flipping any single bit of a ciphertext makes it fail to decrypt', () => {
  fc.assert(
    fc.property(anyText, anyContext, fc.nat(), fc.integer({ min: 0, max: 7 }), (text, ctx, at, bit) => {
      const ciphertext = keyring.encrypt(text, ctx);
      const i = at % ciphertext.length;
      const flipped =
        ciphertext.slice(0, i) + String.fromCharCode(ciphertext.charCodeAt(i) ^ (1 << bit)) + ciphertext.slice(i + 1);
      assert.throws(() => keyring.decrypt(flipped, ctx), isDecryptionFailure);
    }),
  );
});

test('flipping any single bit of the sealed bytes makes it fail to decrypt', () => {
  fc.assert(
    fc.property(anyText, anyContext, fc.nat(), fc.integer({ min: 0, max: 7 }), (text, ctx, at, bit) => {
      const [prefix, body] = keyring.encrypt(text, ctx).split('.') as [string, string];
      const bytes = Buffer.from(body, 'base64url');
      bytes[at % bytes.length]! ^= 1 << bit;
      assert.throws(() => keyring.decrypt(`${prefix}.${bytes.toString('base64url')}`, ctx), isDecryptionFailure);
    }),
  );
});

test('a ciphertext presented under any other table, column, Page or row fails to decrypt', () => {
  fc.assert(
    fc.property(anyText, anyContext, anyContext, (text, ctx, other) => {
      fc.pre(JSON.stringify(ctx) !== JSON.stringify(other));
      assert.throws(() => keyring.decrypt(keyring.encrypt(text, ctx), other), isDecryptionFailure);
    }),
  );
});

test('truncated or extended ciphertexts fail to decrypt', () => {
  fc.assert(
    fc.property(anyText, anyContext, fc.integer({ min: 1, max: 40 }), (text, ctx, n) => {
      const ciphertext = keyring.encrypt(text, ctx);
      assert.throws(
        () => keyring.decrypt(ciphertext.slice(0, Math.max(0, ciphertext.length - n)), ctx),
        isDecryptionFailure,
      );
      assert.throws(() => keyring.decrypt(ciphertext + 'A'.repeat(n), ctx), isDecryptionFailure);
    }),
  );
});

test('different values or different purposes give different blind indexes', () => {
  fc.assert(
    fc.property(anyText, anyText, (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(keyring.blindIndex(a, 'psid'), keyring.blindIndex(b, 'psid'));
      assert.notEqual(keyring.blindIndex(a, 'psid'), keyring.blindIndex(a, 'name-token'));
    }),
  );
});
