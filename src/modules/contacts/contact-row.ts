import type { ContactTable } from '../../db/tables/conversations.ts';

/**
 * A contact as pagescope first stores it: active, replies granted, no marketing consent, no profile yet (its fetch
 * due at `now`), every other field empty. The PSID arrives sealed and blind-indexed: the caller owns the keys.
 */
export function newContactRow(p: {
  id: string;
  pageId: string;
  psidBidx: string;
  psidEnc: string;
  /** When the person was first seen (the event's time). */
  at: number;
  now: number;
}): ContactTable {
  return {
    id: p.id,
    page_id: p.pageId,
    psid_bidx: p.psidBidx,
    psid_enc: p.psidEnc,
    name_enc: null,
    first_name_enc: null,
    last_name_enc: null,
    picture_enc: null,
    locale: null,
    timezone: null,
    status: 'active',
    status_reason: null,
    status_at: null,
    psid_invalid_at: null,
    last_user_action_at: null,
    last_inbound_at: null,
    last_outbound_at: null,
    read_watermark: null,
    delivery_watermark: null,
    thread_owner_app_id: null,
    thread_owner_at: null,
    thread_request_app_id: null,
    thread_request_at: null,
    profile_status: 'pending',
    profile_fetched_at: null,
    profile_next_at: p.now,
    consent_replies: 'granted',
    consent_replies_at: null,
    consent_marketing: 'none',
    consent_marketing_at: null,
    merged_into: null,
    created_at: p.at,
    updated_at: p.now,
    last_seen_at: p.at,
  };
}
