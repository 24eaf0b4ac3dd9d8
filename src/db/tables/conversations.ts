import type { TableClassification } from '../classification.ts';

/**
 * The table name raw bodies are sealed under (their associated data): the table was `webhook_deliveries` when the
 * first bodies were sealed, and renamed `webhook_posts` (migration 0015) without re-sealing them.
 */
export const WEBHOOK_POST_SEALED_AS = 'webhook_deliveries';

/** Where a raw body's ciphertext is bound: its row of webhook_posts, outside any Page. */
export const webhookBodyField = (rowId: string) => ({
  table: WEBHOOK_POST_SEALED_AS,
  column: 'body_enc',
  pageId: null,
  rowId,
});

/** Raw webhook POSTs, committed before the 200 and processed afterwards. */
export interface WebhookPostTable {
  id: string;
  received_at: number;
  /** Keyed hash of the raw bytes; the processor marks a later delivery of the same bytes `duplicate`. */
  body_hash: string;
  body_enc: string | null;
  /** The intake key the body is sealed under (null for a body sealed by the keyring alone, before intake keys). */
  body_key: string | null;
  status: 'pending' | 'processed' | 'duplicate' | 'failed' | 'purged';
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  processed_at: number | null;
  event_count: number | null;
  error: string | null;
}

/** The intake keys raw bodies are sealed under, by id only (the keys are in the contact key store): intake-keys.ts. */
export interface IntakeKeyTable {
  id: string;
  created_at: number;
  /** Set once another key is current: nothing new is stored under it, and it is destroyed once its bodies are gone. */
  retired_at: number | null;
}

/** How far the webhook spool (SQLite) has been moved into webhook_posts: one row, id 1. */
export interface WebhookSpoolTable {
  id: number;
  /** The last spool record moved. */
  seq: number;
  /** Where the next record starts, as a byte count over all laps of the ring. */
  position: number;
  updated_at: number;
}

/** The first delivery of each distinct body (by keyed hash): the processor's dedupe of identical POSTs. */
export interface WebhookBodyHashTable {
  body_hash: string;
  post_id: string;
  created_at: number;
}

/** One row per distinct event ever seen: the idempotency ledger, and raw storage for what is not handled. */
export interface WebhookEventTable {
  id: string;
  page_id: string;
  /** Keyed hash of the event's idempotency key; unique per Page. */
  event_key: string;
  kind: string;
  status: 'processed' | 'unhandled' | 'unregistered_page';
  contact_id: string | null;
  occurred_at: number;
  post_id: string;
  /** The raw item, encrypted, for events kept but not handled. */
  raw_enc: string | null;
  created_at: number;
}

/** One person on one Page. The PSID is only ever stored encrypted and as a blind index. */
export interface ContactTable {
  id: string;
  page_id: string;
  psid_bidx: string;
  psid_enc: string;
  name_enc: string | null;
  first_name_enc: string | null;
  last_name_enc: string | null;
  picture_enc: string | null;
  locale: string | null;
  timezone: number | null;
  status: 'active' | 'unreachable' | 'erased';
  status_reason: string | null;
  status_at: number | null;
  /** Set when Meta answered 100/2018001: the PSID no longer reaches anyone. It stays set: reconciliation merges such a
   * record into the one with the working PSID, and the dispatcher never sends to it. */
  psid_invalid_at: number | null;
  last_user_action_at: number | null;
  last_inbound_at: number | null;
  last_outbound_at: number | null;
  read_watermark: number | null;
  delivery_watermark: number | null;
  /** Another app that owns the thread (handover protocol; 'unknown' when only a standby message told us), or null. */
  thread_owner_app_id: string | null;
  /** Migration 0032: when the evidence for the owner happened; older evidence never overrides it. */
  thread_owner_at: number | null;
  /** Migration 0035: another app that asked for the thread while pagescope controls it, until it changes hands. */
  thread_request_app_id: string | null;
  /** Migration 0035: when that app asked. */
  thread_request_at: number | null;
  profile_status: 'pending' | 'ok' | 'name_only' | 'no_permission' | 'no_profile' | 'failed';
  profile_fetched_at: number | null;
  profile_next_at: number | null;
  consent_replies: 'granted' | 'withdrawn';
  consent_replies_at: number | null;
  consent_marketing: 'none' | 'granted' | 'withdrawn';
  consent_marketing_at: number | null;
  merged_into: string | null;
  created_at: number;
  updated_at: number;
  last_seen_at: number;
}

/** Blind-indexed name fragments, so `?q=` can search names that are stored only encrypted. */
export interface ContactNameTokenTable {
  contact_id: string;
  page_id: string;
  token: string;
}

/** A link between two contacts that the business made explicit (account linking, ids_for_pages, operator). */
export interface ContactLinkTable {
  id: string;
  contact_id: string;
  linked_contact_id: string;
  source: 'account_linking' | 'ids_for_pages' | 'operator' | 'merge';
  created_at: number;
  created_by: string | null;
}

/** Checkbox-plugin opt-ins: a user_ref waiting for the person's first message to reveal the PSID. */
export interface UserRefTable {
  id: string;
  page_id: string;
  user_ref_bidx: string;
  user_ref_enc: string;
  contact_id: string | null;
  opted_in_at: number;
  linked_at: number | null;
}

/** Conversation history, inbound and outbound. Text and attachments are encrypted. */
export interface MessageTable {
  id: string;
  page_id: string;
  contact_id: string;
  mid: string | null;
  direction: 'inbound' | 'outbound';
  /** `postback`: a button the person pressed; `text` holds its title and `quick_reply_enc` its payload. */
  kind: 'message' | 'postback';
  /** `note`: an operator's private note, shown in the history and never sent. */
  author: 'contact' | 'agent' | 'automation' | 'campaign' | 'page' | 'note';
  text_enc: string | null;
  attachments_enc: string | null;
  quick_reply_enc: string | null;
  reply_to_mid: string | null;
  app_id: string | null;
  delivery_id: string | null;
  sent_at: number;
  created_at: number;
}

/** Everything else a person did (postbacks, referrals, opt-ins, reactions, linking, handover), payloads encrypted. */
export interface ContactEventTable {
  id: string;
  page_id: string;
  contact_id: string;
  kind: string;
  occurred_at: number;
  data_enc: string | null;
  created_at: number;
}

/** Marketing-message subscriptions (notification_messages tokens), one per contact and topic. */
export interface MarketingSubscriptionTable {
  id: string;
  page_id: string;
  contact_id: string;
  topic: string;
  token_enc: string;
  status: 'active' | 'stopped' | 'expired';
  status_at: number;
  expires_at: number | null;
  timezone: string | null;
  frequency: string | null;
  last_sent_at: number | null;
  created_at: number;
}

export interface ConversationTables {
  webhook_posts: WebhookPostTable;
  webhook_body_hashes: WebhookBodyHashTable;
  webhook_spool: WebhookSpoolTable;
  intake_keys: IntakeKeyTable;
  webhook_events: WebhookEventTable;
  contacts: ContactTable;
  contact_name_tokens: ContactNameTokenTable;
  contact_links: ContactLinkTable;
  user_refs: UserRefTable;
  messages: MessageTable;
  contact_events: ContactEventTable;
  marketing_subscriptions: MarketingSubscriptionTable;
}

export const CONVERSATION_CLASSIFICATION: Record<keyof ConversationTables, TableClassification> = {
  webhook_posts: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    sealedAs: WEBHOOK_POST_SEALED_AS,
    columns: {
      id: 'reference',
      received_at: 'system',
      body_hash: 'blind_index',
      body_enc: 'encrypted',
      body_key: 'system',
      status: 'system',
      attempts: 'system',
      lease_owner: 'system',
      lease_until: 'system',
      processed_at: 'system',
      event_count: 'system',
      error: 'system',
    },
  },
  webhook_body_hashes: {
    idColumn: 'body_hash',
    pageColumn: null,
    contactColumn: null,
    columns: { body_hash: 'blind_index', post_id: 'reference', created_at: 'system' },
  },
  webhook_spool: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: { id: 'system', seq: 'system', position: 'system', updated_at: 'system' },
  },
  intake_keys: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: null,
    columns: { id: 'system', created_at: 'system', retired_at: 'system' },
  },
  webhook_events: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      event_key: 'blind_index',
      kind: 'system',
      status: 'system',
      contact_id: 'reference',
      occurred_at: 'personal',
      post_id: 'reference',
      raw_enc: 'encrypted',
      created_at: 'system',
    },
  },
  contacts: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      psid_bidx: 'blind_index',
      psid_enc: 'encrypted',
      name_enc: 'encrypted',
      first_name_enc: 'encrypted',
      last_name_enc: 'encrypted',
      picture_enc: 'encrypted',
      locale: 'personal',
      timezone: 'personal',
      status: 'personal',
      status_reason: 'personal',
      status_at: 'personal',
      psid_invalid_at: 'personal',
      last_user_action_at: 'personal',
      last_inbound_at: 'personal',
      last_outbound_at: 'personal',
      read_watermark: 'personal',
      delivery_watermark: 'personal',
      thread_owner_app_id: 'system',
      thread_owner_at: 'system',
      thread_request_app_id: 'system',
      thread_request_at: 'system',
      profile_status: 'system',
      profile_fetched_at: 'system',
      profile_next_at: 'system',
      consent_replies: 'personal',
      consent_replies_at: 'personal',
      consent_marketing: 'personal',
      consent_marketing_at: 'personal',
      merged_into: 'reference',
      created_at: 'personal',
      updated_at: 'system',
      last_seen_at: 'personal',
    },
  },
  contact_name_tokens: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: { contact_id: 'reference', page_id: 'reference', token: 'blind_index' },
  },
  contact_links: {
    idColumn: 'id',
    pageColumn: null,
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      contact_id: 'reference',
      linked_contact_id: 'reference',
      source: 'personal',
      created_at: 'personal',
      created_by: 'reference',
    },
  },
  user_refs: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      user_ref_bidx: 'blind_index',
      user_ref_enc: 'encrypted',
      contact_id: 'reference',
      opted_in_at: 'personal',
      linked_at: 'personal',
    },
  },
  messages: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      mid: 'reference',
      direction: 'personal',
      kind: 'personal',
      author: 'personal',
      text_enc: 'encrypted',
      attachments_enc: 'encrypted',
      quick_reply_enc: 'encrypted',
      reply_to_mid: 'reference',
      app_id: 'system',
      delivery_id: 'reference',
      sent_at: 'personal',
      created_at: 'system',
    },
  },
  contact_events: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      kind: 'personal',
      occurred_at: 'personal',
      data_enc: 'encrypted',
      created_at: 'system',
    },
  },
  marketing_subscriptions: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      topic: 'personal',
      token_enc: 'encrypted',
      status: 'personal',
      status_at: 'personal',
      expires_at: 'personal',
      timezone: 'personal',
      frequency: 'personal',
      last_sent_at: 'personal',
      created_at: 'personal',
    },
  },
};
