import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { signWebhookBody, verifyWebhookSignature } from './signature.ts';

// Test vector from the reference, §1.2 (messenger4j WebhookTest, SHA-256 computed from the same inputs).
const SECRET = '60efff025951cddde78c8d03de52cc90';
const BODY =
  '{"object":"page","entry":[{"id":"1717527131834678","time":1475942721780,"messaging":[{"sender":{"id":"1256217357730577"},"recipient":{"id":"1717527131834678"},"timestamp":1475942721741,"message":{"mid":"mid.1475942721728:3b9e3646712f9bed52","seq":123,"text":"34wrr3wr"}}]}]}';
const SHA256 = 'sha256=2c28be6e4b8c62b732b3487f445dbec6624868db6844b347567ebc86d7da3ad4';
const SHA1 = 'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276';

test('the reference test vector verifies', () => {
  assert.equal(Buffer.byteLength(BODY), 274);
  assert.deepEqual(verifyWebhookSignature(Buffer.from(BODY), { sha256: SHA256, sha1: SHA1 }, SECRET), { ok: true });
});

test('signing the reference body reproduces the reference signature', () => {
  assert.equal(signWebhookBody(Buffer.from(BODY), SECRET), SHA256);
});

test('a changed body with the original signature is a mismatch', () => {
  const changed = BODY.replace('34wrr3wr', 'CHANGED_TEXT_SO_SIGNATURE_IS_INVALID');
  assert.deepEqual(verifyWebhookSignature(Buffer.from(changed), { sha256: SHA256 }, SECRET), {
    ok: false,
    reason: 'mismatch',
  });
});

test('a valid SHA-1 signature alone is refused', () => {
  assert.deepEqual(verifyWebhookSignature(Buffer.from(BODY), { sha1: SHA1 }, SECRET), {
    ok: false,
    reason: 'sha1_only',
  });
});

test('no signature at all is missing', () => {
  assert.deepEqual(verifyWebhookSignature(Buffer.from(BODY), {}, SECRET), { ok: false, reason: 'missing' });
});

test('a wrong secret is a mismatch', () => {
  assert.deepEqual(verifyWebhookSignature(Buffer.from(BODY), { sha256: SHA256 }, 'other-secret'), {
    ok: false,
    reason: 'mismatch',
  });
});

for (const header of [
  '',
  'sha256=',
  '2c28be6e4b8c62b732b3487f445dbec6624868db6844b347567ebc86d7da3ad4',
  'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276',
  `${SHA256}00`,
  SHA256.slice(0, -1),
  SHA256.replace('2c', 'zz'),
  'md5=abc',
]) {
  test(`a header of ${JSON.stringify(header)} is malformed`, () => {
    assert.deepEqual(verifyWebhookSignature(Buffer.from(BODY), { sha256: header }, SECRET), {
      ok: false,
      reason: 'malformed',
    });
  });
}

test('any body verifies against its own signature', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ minLength: 1 }), (bytes, secret) => {
      const body = Buffer.from(bytes);
      return verifyWebhookSignature(body, { sha256: signWebhookBody(body, secret) }, secret).ok;
    }),
  );
});

test('changing any byte of the body breaks the signature', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 512 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (bytes, at, flip) => {
        const body = Buffer.from(bytes);
        const signature = signWebhookBody(body, SECRET);
        const tampered = Buffer.from(body);
        const i = at % tampered.length;
        tampered[i] = (tampered[i] ?? 0) ^ flip;
        const verdict = verifyWebhookSignature(tampered, { sha256: signature }, SECRET);
        return !verdict.ok && verdict.reason === 'mismatch';
      },
    ),
  );
});

test('changing any hex digit of the signature breaks it', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 256 }),
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 1, max: 15 }),
      (bytes, at, delta) => {
        const body = Buffer.from(bytes);
        const hex = signWebhookBody(body, SECRET).slice('sha256='.length);
        const digit = ((parseInt(hex[at] ?? '0', 16) + delta) % 16).toString(16);
        const tampered = `sha256=${hex.slice(0, at)}${digit}${hex.slice(at + 1)}`;
        return !verifyWebhookSignature(body, { sha256: tampered }, SECRET).ok;
      },
    ),
  );
});

test('appending or removing bytes breaks the signature', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      (bytes, extra) => {
        const body = Buffer.from(bytes);
        const signature = signWebhookBody(body, SECRET);
        return (
          !verifyWebhookSignature(Buffer.concat([body, Buffer.from(extra)]), { sha256: signature }, SECRET).ok &&
          !verifyWebhookSignature(body.subarray(0, body.length - 1), { sha256: signature }, SECRET).ok
        );
      },
    ),
  );
});
