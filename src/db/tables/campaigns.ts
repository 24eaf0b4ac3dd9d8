import type { TableClassification } from '../classification.ts';

export type CampaignKind = 'standard' | 'utility' | 'marketing';
export type CampaignStatus = 'draft' | 'scheduled' | 'starting' | 'running' | 'paused' | 'completed' | 'cancelled';

/**
 * A broadcast to a segment of a Page's contacts. Its message and variants are the business's own words with
 * `{{…}}` placeholders (never a person's data: names are filled in per recipient at send time, in the delivery).
 */
export interface CampaignTable {
  id: string;
  page_id: string;
  name: string;
  kind: CampaignKind;
  /** The saved segment whose members at start are the audience; or null with `filter` set. */
  segment_id: string | null;
  /** JSON: a filter in the segments language, when no saved segment is named. */
  filter: string | null;
  /** JSON: the Send API message (text with variables, attachments, quick replies) of a standard campaign. */
  message: string | null;
  /** JSON: {name, language, parameters} of a utility campaign's approved template. */
  template: string | null;
  /** JSON: [{weight, message}], one variant (weight 1, the message) when no A/B test was asked for. */
  variants: string;
  status: CampaignStatus;
  schedule_at: number | null;
  max_per_second: number;
  /** Moves with every edit of the draft: an edit sent with an older version (If-Match) is refused. */
  version: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** A marketing campaign's message campaign at Meta (`act_<id>/message_campaign`), created as it first sends. */
  meta_campaign_id?: string | null;
  /** JSON: the filter the audience is frozen with, as it was at start (a saved segment's then, or `filter`). */
  audience_filter?: string | null;
  /** The last contact the freeze walked (contacts by id, descending): a resumed freeze goes on after it. */
  audience_cursor?: string | null;
  /** When the whole audience was frozen; null while a started campaign's freeze goes on (it sends only after). */
  audience_frozen_at?: number | null;
}

/**
 * One member of a campaign's audience, frozen at start: `pending` until the sender moves it into the outbox
 * (`queued`, with its delivery), or `skipped` with the reason (at start, or at send time when the policy refused).
 */
export interface CampaignRecipientTable {
  id: string;
  campaign_id: string;
  page_id: string;
  contact_id: string;
  /** The index of the variant assigned by hash of (campaign, contact). */
  variant: number;
  status: 'pending' | 'queued' | 'skipped' | 'cancelled';
  reason: string | null;
  delivery_id: string | null;
  queued_at: number | null;
  /** The first click on one of the campaign's tracked links, buttons or quick replies. */
  clicked_at: number | null;
  /** The coupon code of a loyalty offer given to this person (unique within the Page), kept so a resend shows it. */
  coupon_code: string | null;
  created_at: number;
  updated_at: number;
}

/** A tracked link: `GET /r/{token}` answers 302 to `url` and records the recipient's first click. */
export interface CampaignLinkTable {
  token: string;
  campaign_id: string;
  page_id: string;
  contact_id: string;
  url: string;
  clicked_at: number | null;
  created_at: number;
}

/** A Page's loyalty tiers (see recommendations/loyalty.policy.ts): the business's own rules, no personal data. */
export interface LoyaltyTiersTable {
  page_id: string;
  window_days: number;
  currency: string;
  /** JSON: [{name, min_orders, min_spend}]. */
  tiers: string;
  updated_by: string | null;
  updated_at: number;
}

export interface CampaignTables {
  campaigns: CampaignTable;
  campaign_recipients: CampaignRecipientTable;
  campaign_links: CampaignLinkTable;
  loyalty_tiers: LoyaltyTiersTable;
}

export const CAMPAIGN_CLASSIFICATION: Record<keyof CampaignTables, TableClassification> = {
  campaigns: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      kind: 'system',
      segment_id: 'reference',
      filter: 'system',
      message: 'system',
      template: 'system',
      variants: 'system',
      status: 'system',
      schedule_at: 'system',
      max_per_second: 'system',
      version: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
      started_at: 'system',
      finished_at: 'system',
      meta_campaign_id: 'reference',
      audience_filter: 'system',
      audience_cursor: 'reference',
      audience_frozen_at: 'system',
    },
  },
  campaign_recipients: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      campaign_id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      variant: 'personal',
      status: 'personal',
      reason: 'personal',
      delivery_id: 'reference',
      queued_at: 'personal',
      clicked_at: 'personal',
      coupon_code: 'personal',
      created_at: 'personal',
      updated_at: 'system',
    },
  },
  campaign_links: {
    idColumn: 'token',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      token: 'reference',
      campaign_id: 'reference',
      page_id: 'reference',
      contact_id: 'reference',
      url: 'system',
      clicked_at: 'personal',
      created_at: 'personal',
    },
  },
  loyalty_tiers: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      page_id: 'reference',
      window_days: 'system',
      currency: 'system',
      tiers: 'system',
      updated_by: 'reference',
      updated_at: 'system',
    },
  },
};
