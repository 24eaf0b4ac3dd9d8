import type { TableClassification } from '../classification.ts';

/**
 * A Page's follow-up sequence. Its steps are the business's own words with `{{…}}` placeholders (never a person's
 * data: names are filled in per person at send time, in the delivery).
 */
export interface SequenceTable {
  id: string;
  page_id: string;
  name: string;
  enabled: number;
  /** 1: any message from the person ends their subscription (reason `replied`). */
  stop_on_reply: number;
  /** JSON: [{delay: {days?, hours?, minutes?}, message, send_window: {days, hours} | null}]. */
  steps: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export type SubscriptionStatus = 'active' | 'finished' | 'left';

/**
 * A person in a sequence, once per sequence: `active` with the next step and when it falls due, `finished` after the
 * last step, or `left` with the reason. A re-subscription after they finished or left starts a new `round`.
 */
export interface SequenceSubscriptionTable {
  id: string;
  sequence_id: string;
  page_id: string;
  contact_id: string;
  status: SubscriptionStatus;
  reason: string | null;
  round: number;
  /** The index of the step to send next. */
  next_step: number;
  /** When the next step falls due; null once the subscription is over. */
  due_at: number | null;
  subscribed_at: number;
  ended_at: number | null;
  updated_at: number;
}

/** What became of one step for one person in one round: queued with its delivery, or skipped with the reason. */
export interface SequenceStepRunTable {
  id: string;
  subscription_id: string;
  sequence_id: string;
  page_id: string;
  contact_id: string;
  round: number;
  step: number;
  status: 'queued' | 'skipped';
  reason: string | null;
  delivery_id: string | null;
  at: number;
}

export interface SequenceTables {
  sequences: SequenceTable;
  sequence_subscriptions: SequenceSubscriptionTable;
  sequence_step_runs: SequenceStepRunTable;
}

export const SEQUENCE_CLASSIFICATION: Record<keyof SequenceTables, TableClassification> = {
  sequences: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      enabled: 'system',
      stop_on_reply: 'system',
      steps: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  sequence_subscriptions: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      sequence_id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      status: 'personal',
      reason: 'personal',
      round: 'personal',
      next_step: 'personal',
      due_at: 'personal',
      subscribed_at: 'personal',
      ended_at: 'personal',
      updated_at: 'system',
    },
  },
  sequence_step_runs: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      subscription_id: 'reference',
      sequence_id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      round: 'personal',
      step: 'personal',
      status: 'personal',
      reason: 'personal',
      delivery_id: 'reference',
      at: 'personal',
    },
  },
};
