import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSignedRequest, parseSignedRequest } from './meta-signed-request.ts';

const VECTOR =
  'Mf_s6nTb38UYqioBmPqu0Ewm9souPZB9I2fIGwV729U.eyJ1c2VyX2lkIjoiMCIsImFsZ29yaXRobSI6IkhNQUMtU0hBMjU2IiwiaXNzdWVkX2F0IjoxNjI0MjQ0MTU2fQ';

test('the reference signed_request vector is produced byte for byte', () => {
  assert.equal(createSignedRequest('key', { user_id: '0', algorithm: 'HMAC-SHA256', issued_at: 1624244156 }), VECTOR);
});

test('the reference vector parses under its secret and fails under another', () => {
  assert.deepEqual(parseSignedRequest('key', VECTOR), {
    user_id: '0',
    algorithm: 'HMAC-SHA256',
    issued_at: 1624244156,
  });
  assert.equal(parseSignedRequest('other', VECTOR), null);
});

test('signed requests are unpadded base64url and refuse a foreign algorithm', () => {
  const s = createSignedRequest('k', {
    user_id: '218471',
    algorithm: 'HMAC-SHA256',
    issued_at: 1291836800,
    expires: 1291840400,
  });
  assert.doesNotMatch(s, /[=+/]/);
  const forged = createSignedRequest('k', { user_id: '1', algorithm: 'HMAC-SHA1' as 'HMAC-SHA256', issued_at: 1 });
  assert.equal(parseSignedRequest('k', forged), null);
  assert.equal(parseSignedRequest('k', 'no-dot'), null);
});
