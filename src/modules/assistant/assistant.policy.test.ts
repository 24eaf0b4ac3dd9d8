import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asksForPerson, decide, looksLikeQuestion, type DecisionOptions } from './assistant.policy.ts';
import { rankIntents, trainIntents } from './classifier.ts';

const OPTIONS: DecisionOptions = { threshold: 0.4, margin: 0.1, handoffAfterMisses: 3 };
const model = trainIntents([
  { id: 'hours', phrases: ['what are your opening hours', 'when are you open', 'horaires d ouverture'] },
  { id: 'shipping', phrases: ['how much is shipping', 'shipping cost', 'frais de port'] },
  { id: 'returns', phrases: ['how do i return an item', 'return policy', 'comment retourner un article'] },
]);

describe('the assistant decides', () => {
  it('answers a paraphrase of an approved entry, in English and in French', () => {
    for (const [text, id] of [
      ['What are the opening hours on Saturday?', 'hours'],
      ["Vos horaires d'ouverture ?", 'hours'],
      ['How much does shipping cost to Spain?', 'shipping'],
    ] as const) {
      const d = decide(text, rankIntents(model, text), 0, OPTIONS);
      assert.equal(d.action, 'answer', `${text}: ${JSON.stringify(d)}`);
      assert.equal(d.faqId, id);
      assert.ok(d.confidence >= OPTIONS.threshold && d.margin >= OPTIONS.margin);
    }
  });

  it('stays silent on a message about something else, and names the closest entry', () => {
    const d = decide(
      'What is the weather like in Lyon?',
      rankIntents(model, 'What is the weather like in Lyon?'),
      0,
      OPTIONS,
    );
    assert.equal(d.action, 'none');
    assert.equal(d.reason, 'below_threshold');
  });

  it('answers only at or above the threshold and with the margin, whatever the scores', () => {
    const score = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(score, score, score, score, (a, b, threshold, margin) => {
        const [first, second] = a >= b ? [a, b] : [b, a];
        const ranked = [
          { id: 'x', score: first },
          { id: 'y', score: second },
        ];
        const d = decide('how much is it', ranked, 0, { threshold, margin, handoffAfterMisses: 0 });
        const shouldAnswer = first >= threshold && first - second >= margin;
        assert.equal(d.action, shouldAnswer ? 'answer' : 'none');
        if (d.action === 'answer') assert.equal(d.faqId, 'x');
      }),
    );
  });

  it('never answers two entries that score the same: no margin, no answer', () => {
    const d = decide(
      'q',
      [
        { id: 'a', score: 0.9 },
        { id: 'b', score: 0.9 },
      ],
      0,
      OPTIONS,
    );
    assert.deepEqual([d.action, d.reason], ['none', 'small_margin']);
  });

  it('hands over when the person asks for one, in English, French and Spanish, even with a matching entry', () => {
    for (const text of [
      'Can I talk to a human?',
      'real person please',
      'Je veux parler à un conseiller',
      'Quiero hablar con una persona',
      'agent',
    ]) {
      const d = decide(text, [{ id: 'hours', score: 0.99 }], 0, OPTIONS);
      assert.deepEqual([d.action, d.reason], ['handoff', 'asked_for_person'], text);
    }
    assert.equal(asksForPerson('personne ne m a répondu depuis des jours'), false);
  });

  it('hands over on the third question in a row it cannot answer, not on chatter', () => {
    const low = [{ id: 'hours', score: 0.1 }];
    assert.equal(decide('do you sell gift cards?', low, 1, OPTIONS).action, 'none');
    assert.deepEqual(
      [
        decide('do you sell gift cards?', low, 2, OPTIONS).action,
        decide('do you sell gift cards?', low, 2, OPTIONS).reason,
      ],
      ['handoff', 'repeatedly_unanswered'],
    );
    assert.equal(decide('lol', low, 5, OPTIONS).action, 'none');
    assert.equal(decide('do you sell gift cards?', low, 5, { ...OPTIONS, handoffAfterMisses: 0 }).action, 'none');
  });

  it('reads questions by their mark or their first word', () => {
    assert.ok(looksLikeQuestion('¿Tienen tarjetas de regalo'));
    assert.ok(looksLikeQuestion('combien coûte la livraison'));
    assert.ok(!looksLikeQuestion('ok merci'));
  });

  it('has nothing to say with no approved entry', () => {
    const empty = trainIntents([]);
    const d = decide('when are you open?', rankIntents(empty, 'when are you open?'), 0, OPTIONS);
    assert.deepEqual([d.action, d.reason], ['none', 'no_entries']);
  });
});
