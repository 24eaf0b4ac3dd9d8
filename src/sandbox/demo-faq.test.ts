import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_FAQ, DEMO_FAQ_PARAPHRASES, DEMO_OFF_TOPIC } from './demo-faq.ts';
import { rankIntents, trainIntents } from '../modules/assistant/classifier.ts';
import { decide, DEFAULT_DECISION_OPTIONS } from '../modules/assistant/assistant.policy.ts';
import { normaliseText } from '../modules/assistant/text.ts';

const model = trainIntents(DEMO_FAQ.map((e) => ({ id: e.key, phrases: [e.question, ...e.phrases] })));
const decision = (text: string) => decide(text, rankIntents(model, text), 0, DEFAULT_DECISION_OPTIONS);

describe("the sandbox's demo FAQ", () => {
  it('has paraphrases for every entry, none of them among its questions or phrasings', () => {
    assert.deepEqual(Object.keys(DEMO_FAQ_PARAPHRASES).sort(), DEMO_FAQ.map((e) => e.key).sort());
    const trained = new Set(DEMO_FAQ.flatMap((e) => [e.question, ...e.phrases]).map(normaliseText));
    for (const p of Object.values(DEMO_FAQ_PARAPHRASES).flat()) assert.equal(trained.has(normaliseText(p)), false, p);
  });

  it('is answered offline with the right entry for each paraphrase, and with nothing for the off-topic messages', () => {
    for (const [key, paraphrases] of Object.entries(DEMO_FAQ_PARAPHRASES))
      for (const p of paraphrases) {
        const d = decision(p);
        assert.deepEqual([d.action, d.faqId], ['answer', key], p);
      }
    for (const text of DEMO_OFF_TOPIC) assert.equal(decision(text).action, 'none', text);
  });

  it('answers its own questions (the ice breakers) with their entries', () => {
    for (const e of DEMO_FAQ)
      assert.deepEqual([decision(e.question).action, decision(e.question).faqId], ['answer', e.key]);
  });
});
