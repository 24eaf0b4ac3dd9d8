import type { TableClassification } from '../classification.ts';

/**
 * The outbox: one row per message pagescope decided to send, written in the same transaction as the decision.
 * Workers claim rows with leases; `attempts` doubles as the fencing token of the current attempt.
 */
export interface DeliveryTable {
  id: string;
  page_id: string;
  contact_id: string;
  /** The history row this send appears as. */
  message_id: string;
  author: 'agent' | 'automation' | 'campaign';
  kind: 'text' | 'media' | 'template' | 'utility';
  messaging_type: string | null;
  tag: string | null;
  /** The Send API `message` object, encrypted. */
  body_enc: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped';
  reason: string | null;
  error_code: string | null;
  error_message: string | null;
  meta_code: number | null;
  meta_subcode: number | null;
  /** Meta's message id once sent. */
  mid: string | null;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  campaign_id: string | null;
  /** Caller-supplied key: the same key on the same Page is the same send. */
  idempotency_key: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
}

/**
 * A paid Marketing Message's delivery or failure webhook processed before its send's answer was committed: kept
 * until the send with that tracking id is recorded, which applies and deletes it.
 */
export interface MarketingMessageEarlyEventTable {
  id: string;
  page_id: string;
  contact_id: string;
  /** Meta's `marketing_message_tracking_id` (the send's `mid` once recorded). */
  tracking_id: string;
  status: 'delivered' | 'failed';
  occurred_at: number;
  /** Meta's reason for a failure. */
  error_message: string | null;
  created_at: number;
}

export interface MessagingTables {
  deliveries: DeliveryTable;
  marketing_message_early_events: MarketingMessageEarlyEventTable;
}

export const MESSAGING_CLASSIFICATION: Record<keyof MessagingTables, TableClassification> = {
  deliveries: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      message_id: 'reference',
      author: 'personal',
      kind: 'system',
      messaging_type: 'system',
      tag: 'system',
      body_enc: 'encrypted',
      status: 'personal',
      reason: 'personal',
      error_code: 'system',
      error_message: 'system',
      meta_code: 'system',
      meta_subcode: 'system',
      mid: 'reference',
      attempts: 'system',
      next_attempt_at: 'system',
      lease_owner: 'system',
      lease_until: 'system',
      campaign_id: 'reference',
      idempotency_key: 'system',
      created_by: 'reference',
      created_at: 'personal',
      updated_at: 'system',
      sent_at: 'personal',
      delivered_at: 'personal',
      read_at: 'personal',
    },
  },
  marketing_message_early_events: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      tracking_id: 'reference',
      status: 'personal',
      occurred_at: 'personal',
      error_message: 'system',
      created_at: 'system',
    },
  },
};
