// What the assistant does with one message, as a value: answer with an FAQ entry, hand the conversation to a person,
// or stay silent. Pure: the ranking comes from the classifier, the history (how many questions in a row went
// unanswered) from the caller.
import { normaliseText } from './text.ts';
import type { RankedIntent } from './classifier.ts';

export type AssistantAction = 'answer' | 'handoff' | 'none';
export type DecisionReason =
  | 'matched'
  | 'asked_for_person'
  | 'repeatedly_unanswered'
  | 'below_threshold'
  | 'small_margin'
  | 'no_entries'
  | 'empty';

export interface Decision {
  action: AssistantAction;
  /** The entry answered with (answer), or the closest one (none), never for handoff. */
  faqId?: string;
  /** The best intent's score, 0..1. */
  confidence: number;
  /** The best score minus the runner-up's. */
  margin: number;
  reason: DecisionReason;
}

export interface DecisionOptions {
  /** Answer only at or above this confidence. */
  threshold: number;
  /** …and only when the best intent leads the next by at least this much. */
  margin: number;
  /** Hand over when this many question-like messages in a row (this one included) went unanswered; 0: never. */
  handoffAfterMisses: number;
}

export const DEFAULT_DECISION_OPTIONS: DecisionOptions = { threshold: 0.4, margin: 0.1, handoffAfterMisses: 3 };

const PERSON_WORDS = new Set(
  (
    'human humans person people someone somebody agent agents operator representative rep staff employee real live ' +
    'humain humaine personne quelqu conseiller conseillere operateur vendeur vrai vraie ' +
    'humano humana persona alguien agente operador asesor asesora representante empleado real'
  ).split(' '),
);
const TALK_WORDS = new Set(
  (
    'talk speak chat call contact reach connect transfer want need ' +
    'parler discuter appeler contacter joindre veux voudrais besoin passer ' +
    'hablar conversar llamar contactar quiero quisiera necesito pasar comunicar'
  ).split(' '),
);
const QUESTION_WORDS = new Set(
  (
    'what where when why how which who whom whose can could do does is are will would ' +
    'quoi ou quand pourquoi comment quel quelle quels quelles qui combien est peut pouvez avez ' +
    'que donde cuando por como cual cuales quien cuanto cuanta puedo puede tienen hay'
  ).split(' '),
);

/** Whether the person asks for a human ("can I talk to someone", "un conseiller svp", "quiero hablar con alguien"). */
export function asksForPerson(text: string): boolean {
  const words = normaliseText(text).split(' ').filter(Boolean);
  const person = words.some((w) => PERSON_WORDS.has(w));
  if (!person) return false;
  return words.length <= 3 || words.some((w) => TALK_WORDS.has(w));
}

/** Whether a message reads as a question (a "?" or a question word first, or four words or more). */
export function looksLikeQuestion(text: string): boolean {
  if (text.includes('?') || text.includes('¿')) return true;
  const words = normaliseText(text).split(' ').filter(Boolean);
  return words.length >= 4 || (words.length > 0 && QUESTION_WORDS.has(words[0]!));
}

/**
 * The decision for one message. `missesBefore`: question-like messages in a row the assistant could not answer just
 * before this one. Total: every input gives exactly one decision, and `answer` only above threshold and margin.
 */
export function decide(
  text: string,
  ranked: readonly RankedIntent[],
  missesBefore: number,
  options: DecisionOptions = DEFAULT_DECISION_OPTIONS,
): Decision {
  const best = ranked[0];
  const confidence = best?.score ?? 0;
  const margin = best ? confidence - (ranked[1]?.score ?? 0) : 0;
  if (asksForPerson(text)) return { action: 'handoff', confidence, margin, reason: 'asked_for_person' };
  if (normaliseText(text) === '') return { action: 'none', confidence: 0, margin: 0, reason: 'empty' };
  if (best && confidence >= options.threshold && margin >= options.margin)
    return { action: 'answer', faqId: best.id, confidence, margin, reason: 'matched' };
  const reason: DecisionReason = !best
    ? 'no_entries'
    : confidence < options.threshold
      ? 'below_threshold'
      : 'small_margin';
  if (options.handoffAfterMisses > 0 && looksLikeQuestion(text) && missesBefore + 1 >= options.handoffAfterMisses)
    return { action: 'handoff', confidence, margin, reason: 'repeatedly_unanswered' };
  return { action: 'none', ...(best && { faqId: best.id }), confidence, margin, reason };
}
