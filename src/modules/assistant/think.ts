// One message in, one decision out: the Page's trained model (cached per Page and FAQ version), the decision policy,
// the optional language model, and the reply rendered by pagescope from the chosen entry or the asker's data.
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { AssistantSettingsTable, FaqEntryTable } from '../../db/tables/assistant.ts';
import { trainIntents, rankIntents, type IntentModel } from './classifier.ts';
import { decide, type Decision } from './assistant.policy.ts';
import { askLanguageModel, type ModelOutcome } from './language-model.ts';
import { personalReply } from './personal-answer.ts';
import { listFaqRows } from './assistant.repository.ts';
import type { PersonalAnswer } from './faq.presenter.ts';

interface PageModel {
  version: number;
  model: IntentModel;
  entries: Map<string, FaqEntryTable>;
}

// Per application context (a test's app never sees another's), per Page: retrained when the FAQ version moves.
const caches = new WeakMap<object, Map<string, PageModel>>();

export async function pageModel(db: Executor, ctx: AppContext, pageId: string, version: number): Promise<PageModel> {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  const hit = cache.get(pageId);
  if (hit && hit.version === version) return hit;
  const rows = await listFaqRows(db, pageId, 'approved');
  const model = trainIntents(
    rows.map((r) => ({ id: r.id, phrases: [r.question, ...(JSON.parse(r.phrases) as string[])] })),
  );
  const built = { version, model, entries: new Map(rows.map((r) => [r.id, r])) };
  cache.set(pageId, built);
  return built;
}

export interface Thought extends Decision {
  /** The Send API message to send, for `answer`. */
  reply?: Record<string, unknown>;
  /** Who decided: the offline assistant, or the language model through a tool. */
  source: 'offline' | 'model';
  /** With `model: 'defer'`: the language model is to be asked (later, outside the caller's transaction). */
  deferred?: true;
}

/**
 * What to do about the language model when the offline assistant would not answer on its own: ask it now (the try
 * box), defer (the webhook processing transaction, which must not wait on the network), take an outcome already
 * obtained (the model job), or decide offline only.
 */
export type ModelStep = 'ask' | 'defer' | 'offline' | { outcome: ModelOutcome };

/** Whether the model has a say on this Page's message: it is configured and the offline assistant stays silent. */
export function modelWanted(ctx: AppContext, entries: number, offline: Decision): boolean {
  return Boolean(ctx.config.assistantLlm) && entries > 0 && offline.action === 'none';
}

async function render(
  db: Executor,
  entry: FaqEntryTable,
  p: { pageId: string; contactId: string | null; text: string; settings: AssistantSettingsTable },
): Promise<Record<string, unknown>> {
  const answer = JSON.parse(entry.answer) as Record<string, unknown>;
  if (!entry.personal) return answer;
  const text = await personalReply(db, entry.personal as PersonalAnswer, p);
  return text === null ? answer : { text };
}

/**
 * Decides for one message of a Page (and, when known, of a contact). `missesBefore`: its contact's unanswered
 * questions in a row. Reads only; the caller records what follows from the decision.
 */
export async function think(
  db: Executor,
  ctx: AppContext,
  p: { pageId: string; contactId: string | null; text: string; settings: AssistantSettingsTable; missesBefore: number },
  step: ModelStep = 'ask',
): Promise<Thought> {
  const { model, entries } = await pageModel(db, ctx, p.pageId, Number(p.settings.faq_version));
  const ranked = rankIntents(model, p.text);
  const offline = decide(p.text, ranked, p.missesBefore, {
    threshold: Number(p.settings.threshold),
    margin: Number(p.settings.margin),
    handoffAfterMisses: Number(p.settings.handoff_after),
  });
  const llm = ctx.config.assistantLlm;
  let decision: Decision = offline;
  let source: Thought['source'] = 'offline';
  // The model is asked only when the offline assistant would not answer on its own: a confident match needs no
  // network, and an explicit request for a person is never second-guessed.
  if (step !== 'offline' && modelWanted(ctx, entries.size, offline)) {
    if (step === 'defer') return { ...offline, source, deferred: true };
    let outcome: ModelOutcome;
    if (step === 'ask') {
      outcome = await askLanguageModel(
        llm!,
        p.text,
        [...entries.values()].map((e) => ({ id: e.id, question: e.question })),
      );
      countModelCall(ctx, p.pageId, outcome);
    } else outcome = step.outcome;
    // An entry withdrawn since the model chose it (a deferred answer) counts for nothing: the offline decision stays.
    if (outcome.ok) {
      source = 'model';
      const scoreOf = (id: string) => ranked.find((r) => r.id === id)?.score ?? 0;
      if (outcome.choice.tool === 'hand_over')
        decision = { ...offline, action: 'handoff', faqId: undefined, reason: 'asked_for_person' };
      else if (outcome.choice.tool === 'faq_lookup' && !entries.has(outcome.choice.faqId)) source = 'offline';
      else if (outcome.choice.tool === 'faq_lookup')
        decision = {
          ...offline,
          action: 'answer',
          faqId: outcome.choice.faqId,
          confidence: scoreOf(outcome.choice.faqId),
          reason: 'matched',
        };
      else {
        const orders = [...entries.values()].find((e) => e.personal === 'order_status');
        decision =
          orders && p.contactId !== null
            ? { ...offline, action: 'answer', faqId: orders.id, confidence: scoreOf(orders.id), reason: 'matched' }
            : offline;
        if (decision === offline) source = 'offline';
      }
    }
  }
  if (decision.action !== 'answer' || !decision.faqId) {
    const { faqId, ...rest } = decision;
    return { ...rest, ...(decision.action === 'none' && faqId && { faqId }), source };
  }
  const entry = entries.get(decision.faqId)!;
  return { ...decision, reply: await render(db, entry, p), source };
}

/** Counts a model call by its outcome and logs a failure by kind only: never the message, the model's words or the entries. */
export function countModelCall(ctx: AppContext, pageId: string, outcome: ModelOutcome): void {
  ctx.metrics.assistantModelCalls.inc({ outcome: outcome.ok ? outcome.choice.tool : outcome.failure });
  if (!outcome.ok)
    ctx.logger.warn({ pageId, failure: outcome.failure }, 'assistant model failed; offline decision kept');
}
