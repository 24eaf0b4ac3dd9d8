import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBase64urlStrict, encodeFields } from './encoding.ts';

const field = fc.oneof(fc.constant(null), fc.string(), fc.nat({ max: 0xffffffff }));

test('two different field lists never encode to the same bytes', () => {
  fc.assert(
    fc.property(fc.array(field, { maxLength: 5 }), fc.array(field, { maxLength: 5 }), (a, b) => {
      fc.pre(JSON.stringify(a) !== JSON.stringify(b));
      assert.notDeepEqual(encodeFields(a), encodeFields(b));
    }),
  );
});

test('strict base64url decoding accepts exactly the canonical encoding of any bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const text = Buffer.from(bytes).toString('base64url');
      assert.deepEqual(decodeBase64urlStrict(text), Buffer.from(bytes));
    }),
  );
});

test('strict base64url decoding refuses any other spelling of the same bytes', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      const decoded = decodeBase64urlStrict(text);
      if (decoded !== null) assert.equal(decoded.toString('base64url'), text);
    }),
    { numRuns: 2000 },
  );
  for (const text of ['AB', 'AAB', 'A', 'AA==', 'A+B/']) assert.equal(decodeBase64urlStrict(text), null, text);
});
