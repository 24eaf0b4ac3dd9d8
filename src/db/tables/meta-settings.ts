import type { TableClassification } from '../classification.ts';

/** A Page's utility message template, as submitted to Meta's `message_templates` API and reviewed there. */
export interface MessageTemplateTable {
  id: string;
  page_id: string;
  /** snake_case, unique per Page and language (Meta's rule). */
  name: string;
  /** Meta's locale code, e.g. `en_US`. */
  language: string;
  category: 'UTILITY';
  /** Meta's components (HEADER, BODY, FOOTER, BUTTONS) as JSON. */
  components: string;
  /** submitting: not yet accepted by Meta; pending: in Meta's review; approved/rejected: Meta's verdict. */
  status: 'submitting' | 'pending' | 'approved' | 'rejected';
  /** Meta's reason for a rejection (review) or its error message (refused submission). */
  rejection_reason: string | null;
  /** Meta's template id (`hsm_id`). */
  meta_id: string | null;
  /** Submissions or status checks tried so far: spaces out the next one. */
  attempts: number;
  /** When the background loop next submits or checks this template; null once Meta decided. */
  next_check_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A Page's Messenger profile: what the Page wants (`profile`), what Meta has (`pushed_profile`), and the push. */
export interface MessengerProfileTable {
  page_id: string;
  /** JSON: `get_started`, `greeting`, `ice_breakers`, `persistent_menu` as Meta takes them. */
  profile: string;
  /** JSON: the properties Meta was last given successfully (what a push must delete when they go). */
  pushed_profile: string;
  /** Bumped by each edit; the push carries the latest and several edits coalesce into one push. */
  version: number;
  pushed_version: number;
  push_status: 'pending' | 'pushed' | 'failed';
  /** Meta's error code and message for the last failed push. */
  push_error_code: number | null;
  push_error: string | null;
  push_attempts: number;
  /** JSON array of the times of this Page's Messenger Profile API calls in the last 10 minutes (Meta allows 10). */
  recent_calls: string;
  next_push_at: number | null;
  pushed_at: number | null;
  updated_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A Page's paid Marketing Messages: off unless switched on by an operator while the token had the permission. */
export interface PageMarketingMessagesTable {
  page_id: string;
  enabled: number;
  /** Meta's ad account id, digits without `act_`. */
  ad_account_id: string | null;
  /** Each message campaign's daily budget at Meta, in cents of the ad account's currency. */
  daily_budget: number | null;
  /** When Meta last confirmed the token carries the permission (on enabling). */
  permission_checked_at: number | null;
  updated_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface MetaSettingsTables {
  message_templates: MessageTemplateTable;
  messenger_profiles: MessengerProfileTable;
  page_marketing_messages: PageMarketingMessagesTable;
}

export const META_SETTINGS_CLASSIFICATION: Record<keyof MetaSettingsTables, TableClassification> = {
  message_templates: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      language: 'system',
      category: 'system',
      components: 'system',
      status: 'system',
      rejection_reason: 'system',
      meta_id: 'reference',
      attempts: 'system',
      next_check_at: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  messenger_profiles: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      page_id: 'reference',
      profile: 'system',
      pushed_profile: 'system',
      version: 'system',
      pushed_version: 'system',
      push_status: 'system',
      push_error_code: 'system',
      push_error: 'system',
      push_attempts: 'system',
      recent_calls: 'system',
      next_push_at: 'system',
      pushed_at: 'system',
      updated_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  page_marketing_messages: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      page_id: 'reference',
      enabled: 'system',
      ad_account_id: 'reference',
      daily_budget: 'system',
      permission_checked_at: 'system',
      updated_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
};
