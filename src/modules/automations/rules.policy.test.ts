import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../errors.ts';
import {
  checkActions,
  checkTrigger,
  eventTriggerMatches,
  keywordMatches,
  offeredPayloads,
  orderNumberCandidates,
  type InboundFacts,
  type Trigger,
} from './rules.policy.ts';

const keyword = (match: 'is' | 'contains' | 'regex', ...keywords: string[]) =>
  checkTrigger({ type: 'keyword', match, keywords }) as Extract<Trigger, { type: 'keyword' }>;

// Letters with and without accents, in both cases, as people type them.
const ACCENTED: Record<string, string[]> = {
  a: ['a', 'A', 'á', 'à', 'â', 'ä', 'Á', 'Â'],
  e: ['e', 'E', 'é', 'è', 'ê', 'ë', 'É', 'È'],
  i: ['i', 'I', 'í', 'î', 'ï', 'Í'],
  o: ['o', 'O', 'ó', 'ô', 'ö', 'Ó', 'Ö'],
  u: ['u', 'U', 'ú', 'ü', 'û', 'Ü'],
  n: ['n', 'N', 'ñ', 'Ñ'],
  c: ['c', 'C', 'ç', 'Ç'],
};
const plainWord = fc.stringMatching(/^[a-z]{2,8}$/);
/** The same word as someone might type it: each letter in any case, with any accent it can carry. */
const variantOf = (word: string) =>
  fc
    .tuple(...[...word].map((ch) => fc.constantFrom(...(ACCENTED[ch] ?? [ch, ch.toUpperCase()]))))
    .map((chars) => chars.join(''));

describe('keyword triggers', () => {
  it('match "is" and "contains" whatever the case and accents of the keyword and of the message', () => {
    fc.assert(
      fc.property(
        fc
          .array(plainWord, { minLength: 1, maxLength: 3 })
          .chain((words) =>
            fc.tuple(
              fc.constant(words),
              fc.tuple(...words.map(variantOf)),
              fc.tuple(...words.map(variantOf)),
              fc.array(plainWord, { maxLength: 3 }),
              fc.array(plainWord, { maxLength: 3 }),
            ),
          ),
        ([, kw, said, before, afterWords]) => {
          const phrase = said.join('  ');
          assert.ok(keywordMatches(keyword('is', kw.join(' ')), `${phrase}?`));
          assert.ok(keywordMatches(keyword('contains', kw.join(' ')), [...before, phrase, ...afterWords].join(' ')));
          assert.ok(keywordMatches(keyword('regex', kw.join(' ')), [...before, phrase].join(' ')));
        },
      ),
    );
  });

  it('"is" wants the whole message and "contains" whole words, so "ship" does not match "relationship"', () => {
    assert.ok(!keywordMatches(keyword('is', 'hours'), 'your hours please'));
    assert.ok(keywordMatches(keyword('contains', 'hours'), 'your HOURS please'));
    assert.ok(!keywordMatches(keyword('contains', 'ship'), 'our relationship'));
    assert.ok(keywordMatches(keyword('contains', 'envío'), '¿Tienen ENVIO gratis?'));
    assert.ok(keywordMatches(keyword('regex', '\\bcommande\\b'), 'Où est ma COMMANDE ?'));
  });

  it('match text messages only: a quick reply is matched by its payload, a postback by its own triggers', () => {
    const facts = (over: Partial<InboundFacts>): InboundFacts => ({
      kind: 'message',
      text: null,
      postbackPayload: null,
      quickReplyPayload: null,
      refs: [],
      ...over,
    });
    assert.ok(!eventTriggerMatches(keyword('is', 'hours'), facts({ quickReplyPayload: 'hours' })));
    const qr = checkTrigger({ type: 'quick_reply', payloads: ['MENU_HOURS'] });
    assert.ok(eventTriggerMatches(qr, facts({ quickReplyPayload: 'MENU_HOURS' })));
    const gs = checkTrigger({ type: 'get_started' });
    assert.ok(eventTriggerMatches(gs, facts({ kind: 'postback', postbackPayload: 'GET_STARTED' })));
    assert.ok(!eventTriggerMatches(gs, facts({ kind: 'postback', postbackPayload: 'MENU' })));
    const ref = checkTrigger({ type: 'referral', refs: ['summer'] });
    assert.ok(eventTriggerMatches(ref, facts({ kind: 'referral', refs: ['summer'] })));
  });

  it('refuse a regex that could backtrack without end, naming the keyword', () => {
    for (const bad of ['(a+)+$', '(x|x)*y', '(\\w+\\s?)*$', '(.*a){20}', '(a|b)\\1']) {
      assert.throws(
        () => checkTrigger({ type: 'keyword', match: 'regex', keywords: ['fine', bad] }),
        (err: AppError) => err.code === 'validation_failed' && err.details?.field === 'trigger.keywords[1]',
        bad,
      );
    }
    assert.doesNotThrow(() =>
      checkTrigger({ type: 'keyword', match: 'regex', keywords: ['^(hi|hello)\\b', 'order\\s*#?\\d+'] }),
    );
  });
});

describe('rule definitions', () => {
  const fieldOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as AppError).details?.field;
    }
    return null;
  };

  it('name the field that is wrong', () => {
    assert.equal(
      fieldOf(() => checkTrigger({ type: 'sometimes' })),
      'trigger.type',
    );
    assert.equal(
      fieldOf(() => checkTrigger({ type: 'unanswered', minutes: 0 })),
      'trigger.minutes',
    );
    assert.equal(
      fieldOf(() => checkTrigger({ type: 'keyword', match: 'is', keywords: [] })),
      'trigger.keywords',
    );
    assert.equal(
      fieldOf(() => checkActions([{ type: 'send', text: 'ok' }, { type: 'fly' }])),
      'actions[1].type',
    );
    assert.equal(
      fieldOf(() => checkActions([{ type: 'send', text: '' }])),
      'actions[0].message',
    );
    assert.equal(
      fieldOf(() => checkActions([{ type: 'send', text: 'Hi {{contact.psid}}' }])),
      'actions[0].message',
    );
    assert.equal(
      fieldOf(() => checkActions([{ type: 'set_status', status: 'gone' }])),
      'actions[0].status',
    );
    assert.equal(
      fieldOf(() => checkActions([])),
      'actions',
    );
  });

  it('know the payloads a rule offers, and the order numbers a message names', () => {
    const actions = checkActions([
      { type: 'send', text: 'Menu', quick_replies: [{ content_type: 'text', title: 'Again', payload: 'MENU' }] },
    ]);
    assert.deepEqual([...offeredPayloads(actions)], ['MENU']);
    assert.deepEqual(orderNumberCandidates('My order number is #4411, has it shipped? W-7001 too'), ['4411', 'W-7001']);
  });
});
