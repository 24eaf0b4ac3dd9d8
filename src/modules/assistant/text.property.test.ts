import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseText, stem, tokens } from './text.ts';

const ACCENTED: Record<string, string> = { é: 'e', è: 'e', ê: 'e', à: 'a', ç: 'c', ñ: 'n', ü: 'u', ô: 'o', í: 'i' };

describe('message normalisation', () => {
  it('is idempotent and yields only lowercase letters, digits and single spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const n = normaliseText(s);
        assert.equal(normaliseText(n), n);
        assert.doesNotMatch(n, /^ | $| {2}/);
        assert.equal(n, n.toLowerCase());
        assert.doesNotMatch(n, /[^\p{L}\p{N} ]/u);
      }),
    );
  });

  it('folds case and accents: a word reads the same in any case, with or without its accents', () => {
    const word = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzéèêàçñüôí'), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(word, fc.boolean(), (chars, upper) => {
        const w = chars.join('');
        const plain = chars.map((c) => ACCENTED[c] ?? c).join('');
        assert.equal(normaliseText(upper ? w.toUpperCase() : w), plain);
        assert.deepEqual(tokens(w), tokens(plain));
      }),
    );
  });

  it('splits French and Spanish punctuation and apostrophes', () => {
    assert.deepEqual(normaliseText("¿Dónde está l'envío?"), 'donde esta l envio');
    assert.deepEqual(tokens('Où est ma commande ?'), tokens('ou est ma COMMANDE'));
  });

  it('stems to a non-empty word no longer than the word, and leaves numbers whole', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,15}$/), (w) => {
        const s = stem(w);
        assert.ok(s.length >= 1 && s.length <= w.length && w.startsWith(s));
      }),
    );
    assert.equal(stem('10420'), '10420');
    assert.equal(stem('orders'), stem('order'));
    assert.equal(stem('livraisons'), stem('livraison'));
  });
});
