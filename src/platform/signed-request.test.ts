import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSignedRequest, parseSignedRequest } from './signed-request.ts';

// Verified vector from the reference §7.1 (bk-rs/facebook-rs), secret "key".
const VECTOR =
  'Mf_s6nTb38UYqioBmPqu0Ewm9souPZB9I2fIGwV729U.eyJ1c2VyX2lkIjoiMCIsImFsZ29yaXRobSI6IkhNQUMtU0hBMjU2IiwiaXNzdWVkX2F0IjoxNjI0MjQ0MTU2fQ';
const ISSUED_MS = 1624244156 * 1000;
const FRESH = { now: ISSUED_MS + 60_000, maxAgeSeconds: 3600 };

test('the reference vector is valid and yields its payload', () => {
  assert.deepEqual(parseSignedRequest(VECTOR, 'key', FRESH), {
    ok: true,
    payload: { user_id: '0', algorithm: 'HMAC-SHA256', issued_at: 1624244156 },
  });
});

test('the reference vector with padding appended is still valid', () => {
  const [signature, payload] = VECTOR.split('.');
  assert.equal(parseSignedRequest(`${signature}=.${payload}`, 'key', FRESH).ok, true);
});

test('the reference vector under another secret has a bad signature', () => {
  assert.deepEqual(parseSignedRequest(VECTOR, 'not-the-key', FRESH), { ok: false, reason: 'bad_signature' });
});

test('a payload swapped under a valid signature has a bad signature', () => {
  const other = createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA256', issued_at: 1624244156 }, 'key');
  const forged = `${VECTOR.split('.')[0]}.${other.split('.')[1]}`;
  assert.deepEqual(parseSignedRequest(forged, 'key', FRESH), { ok: false, reason: 'bad_signature' });
});

test('a truncated signature is a bad signature', () => {
  const [signature, payload] = VECTOR.split('.');
  assert.deepEqual(parseSignedRequest(`${signature?.slice(0, 20)}.${payload}`, 'key', FRESH), {
    ok: false,
    reason: 'bad_signature',
  });
});

test('another algorithm is refused even when correctly signed', () => {
  const request = createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA1', issued_at: 1624244156 }, 'key');
  assert.deepEqual(parseSignedRequest(request, 'key', FRESH), { ok: false, reason: 'bad_algorithm' });
});

test('a missing algorithm is refused', () => {
  const request = createSignedRequest({ user_id: '1', issued_at: 1624244156 }, 'key');
  assert.deepEqual(parseSignedRequest(request, 'key', FRESH), { ok: false, reason: 'bad_algorithm' });
});

test('a request older than the maximum age is stale', () => {
  assert.deepEqual(parseSignedRequest(VECTOR, 'key', { now: ISSUED_MS + 3601_000, maxAgeSeconds: 3600 }), {
    ok: false,
    reason: 'stale',
  });
});

test('a request issued far in the future is stale', () => {
  assert.deepEqual(parseSignedRequest(VECTOR, 'key', { now: ISSUED_MS - 3601_000, maxAgeSeconds: 3600 }), {
    ok: false,
    reason: 'stale',
  });
});

test('a request without issued_at is malformed', () => {
  const request = createSignedRequest({ user_id: '1', algorithm: 'HMAC-SHA256' }, 'key');
  assert.deepEqual(parseSignedRequest(request, 'key', FRESH), { ok: false, reason: 'malformed' });
});

for (const input of ['', '.', 'abc', 'a.b.c', `${VECTOR}.x`, 'abc.!!!', 'abc.bm90IGpzb24', 'abc.WzEsMl0', '.eyJ9']) {
  test(`${JSON.stringify(input)} is malformed`, () => {
    assert.deepEqual(parseSignedRequest(input, 'key', FRESH), { ok: false, reason: 'malformed' });
  });
}

test('any payload signed with createSignedRequest parses back to itself', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.string().filter((k) => k !== '__proto__'),
        fc.jsonValue(),
      ),
      fc.string({ minLength: 1 }),
      (extra, secret) => {
        const payload = { ...extra, algorithm: 'HMAC-SHA256', issued_at: 1_700_000_000 };
        const result = parseSignedRequest(createSignedRequest(payload, secret), secret, {
          now: 1_700_000_000_000,
          maxAgeSeconds: 60,
        });
        return result.ok && JSON.stringify(result.payload) === JSON.stringify(payload);
      },
    ),
  );
});

test('arbitrary strings never throw and are never accepted', () => {
  fc.assert(
    fc.property(fc.string(), (input) => {
      return !parseSignedRequest(input, 'key', FRESH).ok;
    }),
  );
});
