import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { metaStringify } from './serialise.ts';

test('non-ASCII characters are escaped as lowercase \\uXXXX and slashes as \\/', () => {
  assert.equal(metaStringify({ t: 'äöå' }), '{"t":"\\u00e4\\u00f6\\u00e5"}');
  assert.equal(metaStringify({ url: 'https://www.messenger.com/' }), '{"url":"https:\\/\\/www.messenger.com\\/"}');
});

test('emoji become UTF-16 surrogate pairs, as in the real reaction capture', () => {
  assert.equal(metaStringify('😢'), '"\\ud83d\\ude22"');
});

test('the output is pure ASCII and parses back to the same value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const s = metaStringify(v);
      assert.ok([...s].every((ch) => ch.charCodeAt(0) < 0x80));
      assert.deepEqual(JSON.parse(s), JSON.parse(JSON.stringify(v)));
    }),
  );
});
