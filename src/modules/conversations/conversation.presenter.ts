import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable, MessageTable } from '../../db/tables/conversations.ts';
import type { ConversationTable } from '../../db/tables/inbox.ts';
import { toIso } from '../../lib/time.ts';
import { NO_AUDIENCE, presentContact } from '../contacts/contact.presenter.ts';
import { openMessageField } from './message-fields.ts';
import { presentEdit, type MessageEdit } from './message.presenter.ts';
import { threadOwnerView } from './thread-owner.policy.ts';

export interface AssigneeView {
  id: string;
  email: string | null;
}

/**
 * The contract's Conversation, from an allow-list: the contact's name, status and window (never its PSID), the last
 * message's decrypted text, and `version` for a change that must not overwrite a newer one (If-Match).
 */
export function presentConversation(
  ctx: AppContext,
  row: ConversationTable,
  contact: ContactTable,
  last: MessageTable | undefined,
  assignee: AssigneeView | null,
  lastEdit?: MessageEdit,
) {
  const person = presentContact(ctx, contact, { withIdentifiers: false, audience: NO_AUDIENCE });
  return {
    id: row.id,
    page_id: row.page_id,
    contact: { id: person.id, name: person.name, status: person.status },
    status: row.status,
    assignee,
    labels: JSON.parse(row.labels) as string[],
    unread_count: row.unread_count,
    waiting_since: toIso(row.waiting_since),
    last_message: last
      ? {
          id: last.id,
          direction: last.direction,
          kind: last.kind,
          author: last.author,
          text: openMessageField(ctx, last, 'text_enc'),
          created_at: toIso(last.sent_at),
          ...(lastEdit && { edited: presentEdit(lastEdit) }),
        }
      : null,
    window: person.window,
    handled_by: row.handled_by,
    thread_owner: threadOwnerView(contact.thread_owner_app_id, ctx.config.meta.appId),
    // Another app asking for the thread pagescope controls (Meta's request_thread_control), until it changes hands.
    thread_request:
      contact.thread_request_app_id !== null && contact.thread_owner_app_id === null
        ? { app_id: contact.thread_request_app_id, at: toIso(contact.thread_request_at) }
        : null,
    snoozed_until: toIso(row.snoozed_until),
    last_activity_at: toIso(row.last_activity_at),
    version: row.version,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type ConversationView = ReturnType<typeof presentConversation>;
