import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constantTimeEqual, generateToken } from './bearer-tokens.ts';

test('a generated token is the prefix then 192 random bits in base64url', () => {
  const token = generateToken('psk_');
  assert.match(token, /^psk_[A-Za-z0-9_-]{32}$/);
  assert.equal(Buffer.from(token.slice(4), 'base64url').length, 24);
});

test('generated tokens do not repeat', () => {
  const tokens = new Set(Array.from({ length: 1000 }, () => generateToken('psk_')));
  assert.equal(tokens.size, 1000);
});

test('a prefix that is not a short lower-case word ending in _ is refused', () => {
  for (const prefix of ['', 'psk', 'PSK_', 'p s_', 'a'.repeat(20) + '_']) assert.throws(() => generateToken(prefix));
});

test('constantTimeEqual agrees with === on any pair of strings, whatever their lengths', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => {
      assert.equal(constantTimeEqual(a, b), a === b);
      assert.equal(constantTimeEqual(a, a), true);
    }),
  );
});
