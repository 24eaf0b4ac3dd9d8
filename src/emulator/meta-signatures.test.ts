import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appsecretProof, signBody, verifySignature256 } from './meta-signatures.ts';

const secret = '60efff025951cddde78c8d03de52cc90';
const body =
  '{"object":"page","entry":[{"id":"1717527131834678","time":1475942721780,"messaging":[{"sender":{"id":"1256217357730577"},"recipient":{"id":"1717527131834678"},"timestamp":1475942721741,"message":{"mid":"mid.1475942721728:3b9e3646712f9bed52","seq":123,"text":"34wrr3wr"}}]}]}';

test('both signature headers match the reference test vector', () => {
  assert.equal(body.length, 274);
  assert.deepEqual(signBody(secret, body), {
    'x-hub-signature-256': 'sha256=2c28be6e4b8c62b732b3487f445dbec6624868db6844b347567ebc86d7da3ad4',
    'x-hub-signature': 'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276',
  });
});

test('a changed body no longer verifies', () => {
  const header = signBody(secret, body)['x-hub-signature-256'];
  assert.equal(verifySignature256(secret, body, header), true);
  assert.equal(
    verifySignature256(secret, body.replace('34wrr3wr', 'CHANGED_TEXT_SO_SIGNATURE_IS_INVALID'), header),
    false,
  );
  assert.equal(verifySignature256(secret, body, undefined), false);
  assert.equal(verifySignature256(secret, body, header.replace('sha256=', 'sha1=')), false);
});

test('appsecret_proof is the hex HMAC-SHA256 of the token under the app secret', () => {
  // Value computed independently with Python's hmac module.
  assert.equal(appsecretProof('secret', 'token'), 'e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a');
  assert.notEqual(appsecretProof('secret', 'token'), appsecretProof('secret', 'token2'));
});
