import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { confirmationText, detectConsentKeyword, keywordsFor, KEYWORD_LANGUAGES } from './keywords.ts';

const ENGLISH_OUT = ['STOP', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'];
const ENGLISH_IN = ['START', 'UNSTOP', 'SUBSCRIBE'];
const SAMPLES: [string, string, 'opt_out' | 'opt_in'][] = [
  ['fr', 'Arrêt', 'opt_out'],
  ['fr', 'ARRET', 'opt_out'],
  ['fr', 'désabonner', 'opt_out'],
  ['fr', 'Abonner', 'opt_in'],
  ['de', 'Stopp', 'opt_out'],
  ['de', 'abmelden', 'opt_out'],
  ['de', 'Anmelden', 'opt_in'],
  ['es', 'Baja', 'opt_out'],
  ['es', '¡Parar!', 'opt_out'],
  ['es', 'cancelar', 'opt_out'],
  ['es', 'Alta', 'opt_in'],
  ['it', 'Disiscrivi', 'opt_out'],
  ['it', 'iscrivimi', 'opt_in'],
  ['pt', 'Sair', 'opt_out'],
  ['pt', 'descadastrar', 'opt_out'],
  ['pt', 'Inscrever', 'opt_in'],
  ['nl', 'Afmelden', 'opt_out'],
  ['nl', 'aanmelden', 'opt_in'],
];

// Each generated word holds a digit, and no keyword does, so appending it can never form another keyword.
const extraWord = fc
  .tuple(fc.stringMatching(/^[a-zà-ÿ]{0,6}$/), fc.integer({ min: 0, max: 999 }))
  .map(([letters, n]) => `${letters}${n}`);
const everyLocale = KEYWORD_LANGUAGES.map((lang) => `${lang}_XX`);
const everyWord = [...keywordsFor(everyLocale).optOut, ...keywordsFor(everyLocale).optIn];
const anyKeyword = fc.constantFrom(...everyWord, ...SAMPLES.map(([, word]) => word));

describe('detectConsentKeyword', () => {
  it('recognises every English keyword, whatever the case and surrounding space', () => {
    for (const word of ENGLISH_OUT) assert.equal(detectConsentKeyword(`  ${word.toLowerCase()} `, []), 'opt_out', word);
    for (const word of ENGLISH_IN) assert.equal(detectConsentKeyword(word, []), 'opt_in', word);
  });

  it('ignores trailing punctuation and folds accents', () => {
    assert.equal(detectConsentKeyword('Stop!!!', []), 'opt_out');
    assert.equal(detectConsentKeyword('stop all.', []), 'opt_out');
    assert.equal(detectConsentKeyword('STÖP', []), 'opt_out');
    assert.equal(detectConsentKeyword('Start?', []), 'opt_in');
  });

  it('recognises the words of each Page locale, in Messenger and browser spellings', () => {
    for (const [lang, word, kind] of SAMPLES) {
      assert.equal(detectConsentKeyword(word, [`${lang}_XX`]), kind, `${lang} ${word}`);
      assert.equal(detectConsentKeyword(word, [`${lang}-XX`]), kind, `${lang} ${word}`);
    }
  });

  it('applies English on every Page, and another language only on Pages with that locale', () => {
    assert.equal(detectConsentKeyword('STOP', ['de_DE']), 'opt_out');
    assert.equal(detectConsentKeyword('abmelden', ['fr_FR']), null);
    assert.equal(detectConsentKeyword('Baja', []), null);
  });

  it("recognises a Page's own words beside the built-in ones, opting out first", () => {
    const own = { optOut: ['NO MORE'], optIn: ['BACK ON', 'STOP ALL'] };
    assert.equal(detectConsentKeyword('no more!', [], own), 'opt_out');
    assert.equal(detectConsentKeyword('Back on', [], own), 'opt_in');
    assert.equal(detectConsentKeyword('STOP', [], own), 'opt_out');
    assert.equal(detectConsentKeyword('stop all', [], own), 'opt_out');
    assert.equal(detectConsentKeyword('no more please', [], own), null);
    assert.equal(detectConsentKeyword('no more', []), null);
  });

  it('does not treat a sentence that contains stop as a keyword', () => {
    for (const text of [
      'please stop',
      'stop sending me this',
      'Do not stop!',
      'STOP STOP',
      'unsubscribe me',
      'stop-all',
    ]) {
      assert.equal(detectConsentKeyword(text, ['fr_FR', 'es_ES']), null, text);
    }
    assert.equal(detectConsentKeyword('', ['en_US']), null);
    assert.equal(detectConsentKeyword(' ?! ', ['en_US']), null);
  });

  it('never reads a keyword with extra words before or after it as a keyword', () => {
    const all = everyLocale;
    fc.assert(
      fc.property(anyKeyword, extraWord, fc.boolean(), (word, extra, before) => {
        const text = before ? `${extra} ${word}` : `${word} ${extra}`;
        assert.equal(detectConsentKeyword(text, all), null);
      }),
      { numRuns: 2000 },
    );
  });

  it('recognises any keyword in any mix of case, with trailing punctuation', () => {
    const all = everyLocale;
    const expected = (word: string) => detectConsentKeyword(word, all);
    fc.assert(
      fc.property(
        anyKeyword,
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        fc.stringMatching(/^[.!?…]{0,3}$/),
        (word, upper, tail) => {
          const mixed = [...word].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c.toLowerCase())).join('');
          assert.notEqual(expected(word), null);
          assert.equal(detectConsentKeyword(`${mixed}${tail}`, all), expected(word));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never gives one word opposite meanings in two languages', () => {
    for (const a of KEYWORD_LANGUAGES) {
      for (const b of KEYWORD_LANGUAGES) {
        for (const word of everyWord) {
          const alone = [detectConsentKeyword(word, [a]), detectConsentKeyword(word, [b])].filter((k) => k !== null);
          assert.ok(new Set(alone).size <= 1, `${word} in ${a} and ${b}`);
        }
      }
    }
  });
});

describe('keywordsFor', () => {
  it('lists English always, plus the words of the given locales only', () => {
    assert.deepEqual(keywordsFor([]), { optOut: ENGLISH_OUT, optIn: ENGLISH_IN });
    const german = keywordsFor(['de_DE']);
    assert.ok(german.optOut.includes('STOPP') && german.optOut.includes('STOP'));
    assert.ok(!german.optOut.includes('BAJA'));
  });

  it('lists words that detectConsentKeyword recognises, each with one meaning', () => {
    for (const lang of KEYWORD_LANGUAGES) {
      const words = keywordsFor([lang]);
      for (const word of words.optOut) assert.equal(detectConsentKeyword(word, [lang]), 'opt_out', word);
      for (const word of words.optIn) assert.equal(detectConsentKeyword(word, [lang]), 'opt_in', word);
    }
    assert.equal(new Set(everyWord).size, everyWord.length);
  });
});

describe('confirmationText', () => {
  it('answers in the locale and names a word that undoes the change in that locale', () => {
    for (const lang of KEYWORD_LANGUAGES) {
      for (const [kind, undo] of [
        ['opt_out', 'opt_in'],
        ['opt_in', 'opt_out'],
      ] as const) {
        const text = confirmationText(kind, `${lang}_XX`);
        const undoWord = text.split(/[\s,.]+/).find((w) => /^[A-Z]{3,}$/.test(w));
        assert.ok(undoWord, `${lang} ${kind}: ${text}`);
        assert.equal(detectConsentKeyword(undoWord, [lang]), undo, `${lang} ${kind}: ${undoWord}`);
      }
    }
  });

  it('falls back to English for a locale without its own words', () => {
    assert.equal(confirmationText('opt_out', 'ja_JP'), confirmationText('opt_out', 'en_US'));
    assert.match(confirmationText('opt_out', 'ja_JP'), /START/);
    assert.match(confirmationText('opt_out', 'fr_FR'), /désabonné/);
  });
});
