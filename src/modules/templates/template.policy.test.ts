import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bodyVariables, checkTemplate, pickLanguage, promotionalWord, PROMOTIONAL_WORDS } from './template.policy.ts';

// Plain words that are in no promotional phrase, so a sentence of them is a utility text.
const word = fc.constantFrom('your', 'order', 'has', 'shipped', 'appointment', 'is', 'on', 'at', 'the', 'desk', 'we');
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).map((w) => w.join(' '));

/** A body with n variables {{1}}..{{n}} in some order between plain words, and n sample values. */
const body = fc.tuple(sentence, fc.integer({ min: 0, max: 5 })).chain(([text, n]) =>
  fc
    .shuffledSubarray(
      Array.from({ length: n }, (_, i) => `{{${i + 1}}}`),
      { minLength: n, maxLength: n },
    )
    .map((vars) => ({ text: `${text} ${vars.join(' ')}`.trim(), n })),
);

function template(text: string, n: number, extra: unknown[] = []) {
  const example = n > 0 ? { body_text: [Array.from({ length: n }, (_, i) => `sample${i}`)] } : undefined;
  return {
    name: 'order_update',
    language: 'en_US',
    components: [{ type: 'BODY', text, ...(example && { example }) }, ...extra],
  };
}

describe('utility template checks', () => {
  it('accept any plain body with numbered variables and samples, and count its variables', () => {
    fc.assert(
      fc.property(body, ({ text, n }) => {
        const r = checkTemplate(template(text, n));
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.template.bodyVariables, n);
        assert.equal(r.template.category, 'UTILITY');
      }),
    );
  });

  it('refuse any promotional word of the list placed anywhere in the body, naming the body', () => {
    fc.assert(
      fc.property(sentence, sentence, fc.constantFrom(...PROMOTIONAL_WORDS), (a, b, promo) => {
        const phrase = promo.startsWith('%') ? `20${promo}` : promo.toUpperCase();
        const r = checkTemplate(template(`${a} ${phrase} ${b}`, 0));
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.problem.field, 'components[0].text');
      }),
    );
  });

  it('refuse a quick reply button wherever it stands among the buttons, citing 2018416', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), (at) => {
        const buttons: unknown[] = [{ type: 'POSTBACK', text: 'Track it', payload: 'TRACK' }];
        buttons.splice(Math.min(at, buttons.length), 0, { type: 'quick_reply', text: 'Yes', payload: 'Y' });
        const r = checkTemplate(template('Your order shipped', 0, [{ type: 'BUTTONS', buttons }]));
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.problem.message, /2018416/);
      }),
    );
  });

  it('refuse a missing sample, a gap in the variables, another category and a bad name, each naming its field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...template('Hi {{1}}', 0) }, 'components[0].example.body_text'],
      [template('Hi {{1}} {{3}}', 3), 'components[0].text'],
      [{ ...template('Hi', 0), category: 'MARKETING' }, 'category'],
      [{ ...template('Hi', 0), name: 'Order Update' }, 'name'],
      [{ ...template('Hi', 0), language: 'english' }, 'language'],
      [
        template('Hi', 0, [
          { type: 'BUTTONS', buttons: [1, 2, 3, 4].map(() => ({ type: 'URL', text: 'x', url: 'https://a' })) },
        ]),
        'components[1].buttons',
      ],
    ];
    for (const [input, field] of cases) {
      const r = checkTemplate(input as never);
      assert.equal(r.ok, false, field);
      if (!r.ok) assert.equal(r.problem.field, field);
    }
  });

  it('see words, not parts of words: "wholesale" and "dealer" are not offers, "sale" and "20 % off" are', () => {
    assert.equal(promotionalWord('Your wholesale dealer account is ready'), undefined);
    assert.equal(promotionalWord('Big SALE today'), 'sale');
    assert.equal(promotionalWord('now 20 % off'), '% off');
    assert.equal(bodyVariables('{{1}} and {{1}} again {{2}}'), 2);
  });
});

describe('language fallback', () => {
  it('gives the first preferred language the Page has a template in, or none', () => {
    const lang = fc.constantFrom('en_US', 'pt_BR', 'de_DE', 'fr_FR');
    fc.assert(
      fc.property(fc.array(lang), fc.array(lang), (preferred, available) => {
        const picked = pickLanguage(preferred, available);
        const expected = preferred.filter((l) => available.includes(l))[0];
        assert.equal(picked, expected);
      }),
    );
  });
});
