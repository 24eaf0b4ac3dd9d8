// The assistant on inbound text messages, inside the webhook processing transaction: its answer is an outbox row
// (author `automation`, so the send policy allows it only inside the 24-hour window) committed with the message or
// not at all, keyed by the message so a redelivery never answers twice. A conversation a person handles is never
// answered; a handover gives the conversation to people. The decision is a value from `think`, never read from text.
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
import { pageModel, think } from './think.ts';
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
  if (event.kind !== 'message' || event.quickReplyPayload !== undefined || !e.text?.trim()) return;
  // A rule that matched this message speaks for the Page; the assistant only answers what no rule took.
  if (e.answered) return;
  const settings = await findSettingsRow(trx, contact.page_id);
  if (!settings || Number(settings.enabled) !== 1) return;
  // Without an approved entry the assistant is off, whatever the switch says: it neither answers nor hands over.
  if ((await pageModel(trx, ctx, contact.page_id, Number(settings.faq_version))).entries.size === 0) return;
  const conversation = await findConversationOwner(trx, contact.id);
  if (!conversation) return;
  const now = ctx.clock.now();
  const announce = () =>
    appendEvents(trx, ctx.database.dialect, [
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
  // A conversation opens handled by the bot; one its people took over stays theirs.
  if (conversation.handled_by === 'human') return;
  const missesBefore = await findMisses(trx, contact.id);
  const t = await think(trx, ctx, {
    pageId: contact.page_id,
    contactId: contact.id,
    text: e.text,
    settings,
    missesBefore,
  });
  ctx.metrics.assistantDecisions.inc({ action: t.action, source: t.source });
  const state = { contact_id: contact.id, page_id: contact.page_id, updated_at: now };
  if (t.action === 'answer' && t.reply) {
    const built = buildMessage(t.reply);
    await enqueueSend(trx, ctx, {
      contactId: contact.id,
      author: 'automation',
      message: built.message,
      kind: built.kind,
      idempotencyKey: `assistant:${event.idempotencyKey}`,
      createdBy: 'assistant',
    });
    await setMisses(trx, { ...state, misses: 0 });
    e.answered = true;
    return;
  }
  if (t.action === 'handoff') {
    await setConversationOwner(trx, conversation.id, 'human', now);
    await setMisses(trx, { ...state, misses: 0 });
    e.answered = true;
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
    await announce();
    const lang = guessLanguage(e.text) ?? (contact.locale ?? 'en').slice(0, 2);
    await enqueueSend(trx, ctx, {
      contactId: contact.id,
      author: 'automation',
      message: { text: HANDOFF_TEXT[lang] ?? HANDOFF_TEXT.en! },
      kind: 'text',
      idempotencyKey: `assistant:${event.idempotencyKey}`,
      createdBy: 'assistant',
    });
    return;
  }
  if (!looksLikeQuestion(e.text)) return;
  await recordUnanswered(trx, ctx, { pageId: contact.page_id, contactId: contact.id, text: e.text, at: now });
  await setMisses(trx, { ...state, misses: missesBefore + 1 });
}
