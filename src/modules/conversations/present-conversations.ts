import type { AppContext } from '../../kernel/context.ts';
import type { ConversationTable } from '../../db/tables/inbox.ts';
import { contactsByIds, messagesByIds } from './conversations.repository.ts';
import { presentConversation, type ConversationView } from './conversation.presenter.ts';
import { assigneesByIds } from './assignees.ts';
import { messageActivity } from './message-activity.ts';

/** Presents conversations with their contacts, last messages and assignees, each fetched once for the whole list. */
export async function presentConversations(
  ctx: AppContext,
  rows: readonly ConversationTable[],
): Promise<ConversationView[]> {
  const [contacts, [messages, edits], assignees] = await Promise.all([
    contactsByIds(
      ctx.db,
      rows.map((r) => r.contact_id),
    ),
    // The last messages, and what their people changed them to (the list shows the newest text).
    messagesByIds(
      ctx.db,
      rows.flatMap((r) => (r.last_message_id ? [r.last_message_id] : [])),
    ).then(async (ms) => [ms, (await messageActivity(ctx, ms, { reactions: false })).edits] as const),
    assigneesByIds(
      ctx,
      rows.flatMap((r) => (r.assignee_id ? [r.assignee_id] : [])),
    ),
  ]);
  const contactOf = new Map(contacts.map((c) => [c.id, c]));
  const messageOf = new Map(messages.map((m) => [m.id, m]));
  return rows.flatMap((r) => {
    const contact = contactOf.get(r.contact_id);
    if (!contact) return [];
    const last = r.last_message_id ? messageOf.get(r.last_message_id) : undefined;
    return [
      presentConversation(
        ctx,
        r,
        contact,
        last,
        assignees.get(r.assignee_id ?? '') ?? null,
        last?.mid ? edits.get(last.mid) : undefined,
      ),
    ];
  });
}
