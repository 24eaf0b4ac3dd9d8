// The assistant on inbound text messages, inside the webhook processing transaction: its answer is an outbox row
// (author `automation`, so the send policy allows it only inside the 24-hour window) committed with the message or
// not at all, keyed by the message so a redelivery never answers twice. A conversation a person handles is never
// answered; a handover gives the conversation to people. The decision is a value from `think`, never read from text.
// When the language model is to be asked, the question is queued as a model job (model-jobs.ts) instead: the network
// call happens outside this transaction, and the job acts later through `actOnThought` exactly as the hook would.
// A postback no rule took (an ice breaker, a menu item) is read by its title, and answered only on a confident match.
import type { Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import { enqueueSend } from '../messaging/enqueue-send.ts';
import { buildMessage } from '../messaging/message-body.ts';
import { looksLikeQuestion } from './assistant.policy.ts';
import {
  findConversationOwner,
  findMisses,
  findSettingsRow,
  setConversationOwner,
  setMisses,
} from './assistant.repository.ts';
import { pageModel, think, type Thought } from './think.ts';
import { queueModelJob } from './model-jobs.ts';
import { guessLanguage } from './text.ts';
import { recordUnanswered } from './unanswered.ts';

export const ASSISTANT_HOOK_NAME = 'assistant';
const ACTOR = systemActor('assistant');

const HANDOFF_TEXT: Record<string, string> = {
  en: 'Thanks! Someone from our team will answer you here shortly.',
  fr: "Merci ! Une personne de l'équipe vous répond ici très vite.",
  es: '¡Gracias! Una persona del equipo te responderá aquí en breve.',
};

export function registerAssistantHook(hooks: InboundHooks): void {
  hooks.register(ASSISTANT_HOOK_NAME, handleInboundForAssistant);
}

export async function handleInboundForAssistant(e: InboundEventContext): Promise<void> {
  const { ctx, trx, contact, event } = e;
  const postback = event.kind === 'postback';
  const text = postback ? event.title : e.text;
  if (!(event.kind === 'message' && event.quickReplyPayload === undefined) && !postback) return;
  if (!text?.trim()) return;
  // A rule that matched this message speaks for the Page; the assistant only answers what no rule took.
  if (e.answered) return;
  const settings = await findSettingsRow(trx, contact.page_id);
  if (!settings || Number(settings.enabled) !== 1) return;
  // Without an approved entry the assistant is off, whatever the switch says: it neither answers nor hands over.
  if ((await pageModel(trx, ctx, contact.page_id, Number(settings.faq_version))).entries.size === 0) return;
  const conversation = await findConversationOwner(trx, contact.id);
  if (!conversation) return;
  // A conversation opens handled by the bot; one its people took over stays theirs.
  if (conversation.handled_by === 'human') return;
  const missesBefore = await findMisses(trx, contact.id);
  const t = await think(
    trx,
    ctx,
    { pageId: contact.page_id, contactId: contact.id, text, settings, missesBefore },
    postback ? 'offline' : 'defer',
  );
  // A button's title is not a question a person typed: only a confident answer counts, nothing else is recorded.
  if (postback && t.action !== 'answer') return;
  if (t.deferred) {
    // The assistant took the message (no default reply): the model job answers, hands over or records it.
    await queueModelJob(trx, ctx, {
      pageId: contact.page_id,
      contactId: contact.id,
      eventKey: event.idempotencyKey,
      text,
      at: ctx.clock.now(),
    });
    e.answered = true;
    return;
  }
  ctx.metrics.assistantDecisions.inc({ action: t.action, source: t.source });
  if (
    await actOnThought(trx, ctx, {
      contact,
      conversation,
      text,
      eventKey: event.idempotencyKey,
      thought: t,
      missesBefore,
    })
  )
    e.answered = true;
}

/**
 * Carries out a decision for one message inside the caller's transaction: the answer or the handover message as an
 * outbox row keyed by the message, the handover itself (audited, announced), or the question counted as unanswered.
 * Returns whether the assistant answered or handed over.
 */
export async function actOnThought(
  trx: Transaction<DB>,
  ctx: AppContext,
  p: {
    contact: Pick<ContactTable, 'id' | 'page_id' | 'locale'>;
    conversation: { id: string };
    text: string;
    eventKey: string;
    thought: Thought;
    missesBefore: number;
  },
): Promise<boolean> {
  const { contact, conversation, thought: t } = p;
  const now = ctx.clock.now();
  const state = { contact_id: contact.id, page_id: contact.page_id, updated_at: now };
  if (t.action === 'answer' && t.reply) {
    const built = buildMessage(t.reply);
    await enqueueSend(trx, ctx, {
      contactId: contact.id,
      author: 'automation',
      message: built.message,
      kind: built.kind,
      idempotencyKey: `assistant:${p.eventKey}`,
      createdBy: 'assistant',
    });
    await setMisses(trx, { ...state, misses: 0 });
    return true;
  }
  if (t.action === 'handoff') {
    await setConversationOwner(trx, conversation.id, 'human', now);
    await setMisses(trx, { ...state, misses: 0 });
    await appendAudit(
      trx,
      ACTOR,
      {
        action: 'conversation.update',
        pageId: contact.page_id,
        subjectType: 'conversation',
        subjectId: conversation.id,
        details: { changes: { handled_by: { from: 'bot', to: 'human' } }, reason: t.reason },
      },
      now,
    );
    await appendEvents(trx, ctx.database.dialect, [
      {
        page_id: contact.page_id,
        type: 'conversation.updated',
        conversation_id: conversation.id,
        contact_id: contact.id,
        message_id: null,
        delivery_id: null,
        at: now,
      },
    ]);
    const lang = guessLanguage(p.text) ?? (contact.locale ?? 'en').slice(0, 2);
    await enqueueSend(trx, ctx, {
      contactId: contact.id,
      author: 'automation',
      message: { text: HANDOFF_TEXT[lang] ?? HANDOFF_TEXT.en! },
      kind: 'text',
      idempotencyKey: `assistant:${p.eventKey}`,
      createdBy: 'assistant',
    });
    return true;
  }
  if (!looksLikeQuestion(p.text)) return false;
  await recordUnanswered(trx, ctx, { pageId: contact.page_id, contactId: contact.id, text: p.text, at: now });
  await setMisses(trx, { ...state, misses: p.missesBefore + 1 });
  return false;
}
