import type { AppContext } from '../../kernel/context.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { findConversationOfContact } from '../conversations/conversations.repository.ts';
import { lastResolvedAt, messageStatsByAuthor } from './activity.repository.ts';
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
  const [stats, conversation] = await Promise.all([
    messageStatsByAuthor(ctx.db, contact.id),
    findConversationOfContact(ctx.db, contact.id),
  ]);
  const replies = (['agent', 'automation', 'campaign', 'page'] as const).flatMap((a) => stats[a] ?? []);
  const latest = (times: number[]) => (times.length ? Math.max(...times) : null);
  return {
    contact_id: contact.id,
    first_seen_at: toIso(contact.created_at),
    last_seen_at: toIso(contact.last_seen_at),
    last_inbound_at: toIso(latest([contact.last_inbound_at ?? 0, stats.contact?.lastAt ?? 0].filter(Boolean))),
    last_outbound_at: toIso(latest(replies.map((r) => r.lastAt))),
    messages: {
      received: stats.contact?.count ?? 0,
      sent: replies.reduce((n, r) => n + r.count, 0),
      notes: stats.note?.count ?? 0,
    },
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
