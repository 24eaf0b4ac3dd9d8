import type { TableClassification } from '../classification.ts';

/**
 * A Page's automation rule: a trigger, optional conditions (a segment filter) and actions, each stored as JSON in
 * the contract's shape. The business's own words, kept in the clear like canned responses.
 */
export interface AutomationRuleTable {
  id: string;
  page_id: string;
  name: string;
  /** 0/1. */
  enabled: number;
  /** The trigger's type, for the hook's lookup by kind. */
  trigger_type: string;
  trigger: string;
  conditions: string | null;
  actions: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * One run of a rule for one contact: what happened (fired, skipped because a person handles the conversation, a
 * condition did not hold, a send the policy refused, a loop stopped, a frequency cap). Unique by (rule, contact,
 * run key): the inbound event's idempotency key, or the waiting period of the unanswered trigger.
 */
export interface AutomationRunTable {
  id: string;
  page_id: string;
  rule_id: string;
  contact_id: string;
  run_key: string;
  outcome: 'fired' | 'skipped_human' | 'conditions_unmet' | 'refused' | 'loop_stopped' | 'capped';
  /** The send policy's refusal reason, or what a skipped action lacked; a code, never personal data. */
  reason: string | null;
  at: number;
}

/** A Page's automation settings: business hours (JSON per weekday) in an IANA time zone, holidays, round robin. */
export interface PageAutomationSettingsTable {
  page_id: string;
  /** IANA time zone; empty while business hours were never set (the row then serves the round robin alone). */
  time_zone: string;
  /** JSON `{"mon": [["09:00","18:00"]], …}`: a missing day is closed. */
  weekly_hours: string;
  /** JSON array of `YYYY-MM-DD` dates (in the Page's time zone) when the business is closed. */
  holidays: string;
  /** The operator the last handover assigned: the round robin continues after them. */
  last_assignee_id: string | null;
  updated_at: number;
}

export interface AutomationTables {
  automation_rules: AutomationRuleTable;
  automation_runs: AutomationRunTable;
  page_automation_settings: PageAutomationSettingsTable;
}

export const AUTOMATION_CLASSIFICATION: Record<keyof AutomationTables, TableClassification> = {
  automation_rules: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      enabled: 'system',
      trigger_type: 'system',
      trigger: 'system',
      conditions: 'system',
      actions: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  automation_runs: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      rule_id: 'reference',
      contact_id: 'reference',
      run_key: 'system',
      outcome: 'personal',
      reason: 'personal',
      at: 'personal',
    },
  },
  page_automation_settings: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      page_id: 'reference',
      time_zone: 'system',
      weekly_hours: 'system',
      holidays: 'system',
      last_assignee_id: 'reference',
      updated_at: 'system',
    },
  },
};
