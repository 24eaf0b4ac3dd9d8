import type { TableClassification } from '../classification.ts';

/** An FAQ entry of a Page: the phrasings the assistant learns from and the answer it sends (a Send API message). */
export interface FaqEntryTable {
  id: string;
  page_id: string;
  question: string;
  /** JSON array of phrasings. */
  phrases: string;
  /** JSON Send API message (`{"text": …}` or an attachment). */
  answer: string;
  /** Answered from the asker's own data: `order_status`, `opening_hours`, `delivery_estimate`, or null. */
  personal: string | null;
  status: 'draft' | 'approved';
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A Page's assistant settings; `faq_version` grows with every change of its entries (the trained model's key). */
export interface AssistantSettingsTable {
  page_id: string;
  enabled: number;
  threshold: number;
  margin: number;
  handoff_after: number;
  /** The shop's opening hours as the operator writes them ("Mon–Sat 9:00–19:00"). */
  opening_hours: string | null;
  /** Days from an order to its delivery, for the delivery estimate. */
  delivery_days: number | null;
  faq_version: number;
  updated_at: number;
}

/**
 * A question the assistant could not answer, counted per Page by its normalised text's blind index. The text is the
 * last asker's words, sealed under that contact's key: erasing them removes the row.
 */
export interface AssistantUnansweredTable {
  id: string;
  page_id: string;
  contact_id: string;
  text_bidx: string;
  text_enc: string;
  count: number;
  first_asked_at: number;
  last_asked_at: number;
  /**
   * `open`; `converted` once an FAQ entry was made from it or it became a phrasing of one (`faq_id`): asked again, it
   * opens again, since the entry did not answer it; `dismissed` by an operator: still counted, no longer listed.
   */
  status: 'open' | 'converted' | 'dismissed';
  faq_id: string | null;
}

/** Question-like messages in a row the assistant could not answer for a contact (handoff after a few). */
export interface AssistantContactStateTable {
  contact_id: string;
  page_id: string;
  misses: number;
  updated_at: number;
}

/**
 * A question waiting for the language model (see model-jobs.ts): the text is the asker's words sealed under their
 * contact key; `lease_until` is when it may be taken (now, or once the worker holding it ran out of time).
 */
export interface AssistantModelJobTable {
  id: string;
  page_id: string;
  contact_id: string;
  /** The inbound event's idempotency key: one job per message, and the answer's outbox key. */
  event_key: string;
  text_enc: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number;
  created_at: number;
}

export interface AssistantTables {
  faq_entries: FaqEntryTable;
  assistant_settings: AssistantSettingsTable;
  assistant_unanswered: AssistantUnansweredTable;
  assistant_contact_state: AssistantContactStateTable;
  assistant_model_jobs: AssistantModelJobTable;
}

export const ASSISTANT_CLASSIFICATION: Record<keyof AssistantTables, TableClassification> = {
  faq_entries: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      question: 'system',
      phrases: 'system',
      answer: 'system',
      personal: 'system',
      status: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  assistant_settings: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      page_id: 'reference',
      enabled: 'system',
      threshold: 'system',
      margin: 'system',
      handoff_after: 'system',
      opening_hours: 'system',
      delivery_days: 'system',
      faq_version: 'system',
      updated_at: 'system',
    },
  },
  assistant_unanswered: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      text_bidx: 'blind_index',
      text_enc: 'encrypted',
      count: 'system',
      first_asked_at: 'personal',
      last_asked_at: 'personal',
      status: 'system',
      faq_id: 'reference',
    },
  },
  assistant_contact_state: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: { contact_id: 'reference', page_id: 'reference', misses: 'system', updated_at: 'personal' },
  },
  assistant_model_jobs: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      event_key: 'system',
      text_enc: 'encrypted',
      attempts: 'system',
      lease_owner: 'system',
      lease_until: 'system',
      created_at: 'personal',
    },
  },
};
