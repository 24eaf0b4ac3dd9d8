// One message in, one decision out: the Page's trained model (cached per Page and FAQ version), the decision policy,
// the optional language model, and the reply rendered by pagescope from the chosen entry or the asker's data.
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { AssistantSettingsTable, FaqEntryTable } from '../../db/tables/assistant.ts';
import { trainIntents, rankIntents, type IntentModel } from './classifier.ts';
import { decide, type Decision } from './assistant.policy.ts';
import { askLanguageModel } from './language-model.ts';
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
  if (llm && entries.size > 0 && offline.action === 'none') {
    const outcome = await askLanguageModel(
      llm,
      p.text,
      [...entries.values()].map((e) => ({ id: e.id, question: e.question })),
    );
    ctx.metrics.assistantModelCalls.inc({ outcome: outcome.ok ? outcome.choice.tool : outcome.failure });
    // The outcome only: never the message, the model's words or the Page's entries.
    if (!outcome.ok)
      ctx.logger.warn({ pageId: p.pageId, failure: outcome.failure }, 'assistant model failed; offline decision kept');
    if (outcome.ok) {
      source = 'model';
      const scoreOf = (id: string) => ranked.find((r) => r.id === id)?.score ?? 0;
      if (outcome.choice.tool === 'hand_over')
        decision = { ...offline, action: 'handoff', faqId: undefined, reason: 'asked_for_person' };
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
