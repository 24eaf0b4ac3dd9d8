import type { AppContext } from '../../kernel/context.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { findConversationOfContact } from '../conversations/conversations.repository.ts';
import { countMessagesByAuthor, lastResolvedAt } from './activity.repository.ts';
import { loadVisibleContact } from './read-contacts.ts';

/**
 * What a person did before, as the contact sidebar shows it: when they were first and last seen, when they last
 * wrote and were last answered, how many messages went each way, and their conversation (status, last resolved).
 * Times and counts only: no text, no identifier. Readers of the history only (`messages:read`).
 */
export async function contactActivity(ctx: AppContext, actor: Actor, contactId: string) {
  assertCan(actor, 'contacts:read');
  assertCan(actor, 'messages:read');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const [counts, conversation] = await Promise.all([
    countMessagesByAuthor(ctx.db, contact.id),
    findConversationOfContact(ctx.db, contact.id),
  ]);
  const sent = (counts.agent ?? 0) + (counts.automation ?? 0) + (counts.campaign ?? 0) + (counts.page ?? 0);
  return {
    contact_id: contact.id,
    first_seen_at: toIso(contact.created_at),
    last_seen_at: toIso(contact.last_seen_at),
    last_inbound_at: toIso(contact.last_inbound_at),
    last_outbound_at: toIso(contact.last_outbound_at),
    messages: { received: counts.contact ?? 0, sent, notes: counts.note ?? 0 },
    conversation: conversation
      ? {
          id: conversation.id,
          status: conversation.status,
          created_at: toIso(conversation.created_at),
          last_activity_at: toIso(conversation.last_activity_at),
          last_resolved_at: toIso(await lastResolvedAt(ctx.db, conversation.id)),
        }
      : null,
  };
}

export type ContactActivityView = Awaited<ReturnType<typeof contactActivity>>;
