import type { Generated } from 'kysely';
import type { TableClassification } from '../classification.ts';

/**
 * One conversation per contact thread: what the inbox lists. Its id is the contact's with the `cv_` prefix, so the
 * processor can open or reopen it by key without a lookup, and twice is once.
 */
export interface ConversationTable {
  id: string;
  page_id: string;
  contact_id: string;
  /** open; pending = the bot handles it; snoozed until `snoozed_until`; resolved until the next inbound message. */
  status: 'open' | 'pending' | 'snoozed' | 'resolved';
  /** The operator (users.id) it is assigned to. */
  assignee_id: string | null;
  handled_by: 'bot' | 'human';
  /** JSON array of label names. */
  labels: string;
  unread_count: number;
  /** When the oldest customer message nobody has answered yet was sent; null when answered. */
  waiting_since: number | null;
  last_message_id: string | null;
  last_activity_at: number;
  snoozed_until: number | null;
  /** Grows with every change: a stale tab's change (If-Match) is refused, never applied over a newer one. */
  version: number;
  created_at: number;
  updated_at: number;
}

/**
 * What the inbox shows changed, in commit order: the source of truth of live updates. Rows carry ids only (never a
 * PSID or a text); a client fetches details with its own permissions.
 */
export interface InboxEventTable {
  seq: Generated<number>;
  page_id: string;
  type:
    | 'message.created'
    | 'message.updated'
    | 'delivery.updated'
    | 'conversation.updated'
    | 'contact.updated'
    | 'campaign.updated';
  conversation_id: string | null;
  contact_id: string | null;
  message_id: string | null;
  delivery_id: string | null;
  /** Migration 0025: the campaign a `campaign.updated` event is about. */
  campaign_id?: string | null;
  at: number;
}

/**
 * The search index of message texts: each normalised word a contact's messages hold, once per contact and word, as a
 * keyed HMAC under a search key derived from the key version named (never the word), with the time of the newest
 * message that holds it (migration 0039). Erased with the contact; dropped with the texts when retention purges every
 * message of the contact that held the word; rebuilt under the new version on rotation.
 */
export interface MessageTokenTable {
  page_id: string;
  token: string;
  contact_id: string;
  key_version: number;
  last_at: number;
}

export interface InboxTables {
  conversations: ConversationTable;
  inbox_events: InboxEventTable;
  message_tokens: MessageTokenTable;
}

export const INBOX_CLASSIFICATION: Record<keyof InboxTables, TableClassification> = {
  conversations: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      status: 'personal',
      assignee_id: 'reference',
      handled_by: 'system',
      labels: 'personal',
      unread_count: 'personal',
      waiting_since: 'personal',
      last_message_id: 'reference',
      last_activity_at: 'personal',
      snoozed_until: 'personal',
      version: 'system',
      created_at: 'personal',
      updated_at: 'system',
    },
  },
  inbox_events: {
    idColumn: 'seq',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      seq: 'system',
      page_id: 'reference',
      type: 'system',
      conversation_id: 'reference',
      contact_id: 'reference',
      message_id: 'reference',
      delivery_id: 'reference',
      campaign_id: 'reference',
      at: 'personal',
    },
  },
  message_tokens: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      page_id: 'reference',
      token: 'blind_index',
      contact_id: 'reference',
      key_version: 'system',
      last_at: 'personal',
    },
  },
};
