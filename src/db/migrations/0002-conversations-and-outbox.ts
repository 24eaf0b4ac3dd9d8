import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Plain DDL in the subset both SQLite and PostgreSQL accept: text, integer, bigint, defaults, unique indexes.
const TABLES: Record<string, string> = {
  webhook_deliveries: `id text primary key, received_at bigint not null, body_hash text not null, body_enc text,
    status text not null default 'pending', attempts integer not null default 0, lease_owner text, lease_until bigint,
    processed_at bigint, event_count integer, error text`,
  webhook_events: `id text primary key, page_id text not null, event_key text not null, kind text not null,
    status text not null, contact_id text, occurred_at bigint not null, delivery_id text not null, raw_enc text,
    created_at bigint not null`,
  contacts: `id text primary key, page_id text not null, psid_bidx text not null, psid_enc text not null,
    name_enc text, first_name_enc text, last_name_enc text, picture_enc text, locale text, timezone integer,
    status text not null default 'active', status_reason text, status_at bigint, psid_invalid_at bigint,
    last_user_action_at bigint, last_inbound_at bigint, last_outbound_at bigint, read_watermark bigint,
    delivery_watermark bigint, thread_owner_app_id text, profile_status text not null default 'pending',
    profile_fetched_at bigint, profile_next_at bigint, consent_replies text not null default 'granted',
    consent_replies_at bigint, consent_marketing text not null default 'none', consent_marketing_at bigint,
    tags text not null default '[]', attributes_enc text, merged_into text, created_at bigint not null,
    updated_at bigint not null, last_seen_at bigint not null`,
  contact_name_tokens: `contact_id text not null, page_id text not null, token text not null, primary key (contact_id, token)`,
  contact_links: `id text primary key, contact_id text not null, linked_contact_id text not null, source text not null,
    created_at bigint not null, created_by text`,
  user_refs: `id text primary key, page_id text not null, user_ref_bidx text not null, user_ref_enc text not null,
    contact_id text, opted_in_at bigint not null, linked_at bigint`,
  messages: `id text primary key, page_id text not null, contact_id text not null, mid text, direction text not null,
    author text not null, text_enc text, attachments_enc text, quick_reply_enc text, reply_to_mid text, app_id text,
    delivery_id text, sent_at bigint not null, created_at bigint not null`,
  contact_events: `id text primary key, page_id text not null, contact_id text not null, kind text not null,
    occurred_at bigint not null, data_enc text, created_at bigint not null`,
  marketing_subscriptions: `id text primary key, page_id text not null, contact_id text not null, topic text not null,
    token_enc text not null, status text not null, status_at bigint not null, expires_at bigint, timezone text,
    frequency text, last_sent_at bigint, created_at bigint not null`,
  deliveries: `id text primary key, page_id text not null, contact_id text not null, message_id text not null,
    author text not null, kind text not null, messaging_type text, tag text, body_enc text not null,
    status text not null default 'queued', reason text, error_code text, error_message text, meta_code integer,
    meta_subcode integer, mid text, attempts integer not null default 0, next_attempt_at bigint not null,
    lease_owner text, lease_until bigint, campaign_id text, idempotency_key text, created_by text,
    created_at bigint not null, updated_at bigint not null, sent_at bigint, delivered_at bigint, read_at bigint`,
};

const INDEXES = [
  'create unique index webhook_deliveries_body_hash on webhook_deliveries (body_hash)',
  'create index webhook_deliveries_status on webhook_deliveries (status, id)',
  'create unique index webhook_events_key on webhook_events (page_id, event_key)',
  'create index webhook_events_contact on webhook_events (contact_id)',
  'create index webhook_events_delivery on webhook_events (delivery_id)',
  'create unique index contacts_page_psid on contacts (page_id, psid_bidx)',
  'create index contacts_page_id on contacts (page_id, id)',
  'create index contact_name_tokens_lookup on contact_name_tokens (page_id, token)',
  'create index contact_links_contact on contact_links (contact_id)',
  'create index contact_links_linked on contact_links (linked_contact_id)',
  'create unique index user_refs_page_ref on user_refs (page_id, user_ref_bidx)',
  'create unique index messages_page_mid on messages (page_id, mid)',
  'create index messages_contact_time on messages (contact_id, sent_at, id)',
  'create index contact_events_contact on contact_events (contact_id, occurred_at)',
  'create unique index marketing_subscriptions_topic on marketing_subscriptions (contact_id, topic)',
  'create index deliveries_due on deliveries (status, next_attempt_at)',
  'create index deliveries_contact on deliveries (contact_id, id)',
  'create unique index deliveries_idempotency on deliveries (page_id, idempotency_key)',
  'create index deliveries_mid on deliveries (mid)',
];

export async function up(db: AnyDb): Promise<void> {
  for (const [name, columns] of Object.entries(TABLES)) await sql.raw(`create table ${name} (${columns})`).execute(db);
  for (const ddl of INDEXES) await sql.raw(ddl).execute(db);
}
