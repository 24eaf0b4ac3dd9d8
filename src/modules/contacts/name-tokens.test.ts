import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Keyring } from '../../crypto/index.ts';
import { nameTokens, nameWords, queryTokens } from './name-tokens.ts';

const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);

/** The words by the Unicode rules alone, as nameWords finds them for any text. */
function unicodeWords(text: string): string[] {
  const fold: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæœßłđðþı]/g, (c) => fold[c] ?? c);
  const words = folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2);
  return [...new Set(words.map((w) => [...w].slice(0, 24).join('')))];
}

describe('name search tokens', () => {
  it('finds the same words in ASCII text by its shortcut as by the Unicode rules', () => {
    const ascii = fc.string({ unit: fc.constantFrom(..."aZ09 ,.-_!?'\t\nabcXYZ".split('')), maxLength: 80 });
    fc.assert(fc.property(ascii, (text) => assert.deepEqual(nameWords(text), unicodeWords(text))));
    assert.deepEqual(nameWords('Order #42, is it SHIPPED_yet?'), ['order', '42', 'is', 'it', 'shipped', 'yet']);
    assert.deepEqual(nameWords('x'.repeat(30)), ['x'.repeat(24)]);
  });

  it('folds accents and case and splits on anything that is not a letter or digit', () => {
    assert.deepEqual(nameWords('Chloé DUBOIS-Müller'), ['chloe', 'dubois', 'muller']);
  });

  it('lets every query word of two or more characters match the start of a name word', () => {
    const stored = new Set(nameTokens(keyring, ['Søren', 'Åberg']));
    for (const q of ['so', 'SØR', 'soren', 'ab', 'aberg soren']) {
      assert.ok(
        queryTokens(keyring, q).every((t) => stored.has(t)),
        q,
      );
    }
    for (const q of ['ren', 'sorenx', 'berg']) assert.ok(!queryTokens(keyring, q).every((t) => stored.has(t)), q);
  });

  it('stores keyed hashes, never the name or its prefixes', () => {
    const tokens = nameTokens(keyring, ['Zoë']);
    assert.equal(tokens.length, 2);
    // Exactly the keyed hashes of the folded prefixes "zo" and "zoe", and neither prefix itself. (A random hash may
    // contain the letters "zo" by chance, so the check is on whole values, not substrings.)
    assert.deepEqual(new Set(tokens), new Set(['zo', 'zoe'].map((p) => keyring.blindIndex(p, 'name-token'))));
    assert.ok(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t) && !['zo', 'zoe', 'zoë'].includes(t.toLowerCase())));
  });
});
