import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const TABLES: Record<string, string> = {
  privacy_requests: `id text primary key, page_id text, contact_id text, type text not null, regime text not null,
    status text not null, source text not null, review_reason text, callback_id text, received_at bigint not null,
    due_at bigint not null, extended integer not null default 0, extension_notice_at bigint, warned_at bigint,
    started_at bigint, completed_at bigint, attempts integer not null default 0, next_attempt_at bigint not null,
    error text, actor_type text not null, actor_id text, request_id text, input_enc text, export_enc text, result text,
    updated_at bigint not null`,
  privacy_callbacks: `id text primary key, kind text not null, confirmation_code text not null, user_bidx text not null,
    user_enc text, status text not null, contacts_found integer, issued_at bigint not null, received_at bigint not null,
    completed_at bigint, attempts integer not null default 0, next_attempt_at bigint not null, updated_at bigint not null`,
  consent_records: `id text primary key, page_id text not null, contact_id text not null, purpose text not null,
    action text not null, source text not null, event_id text, wording text, wording_version text,
    actor_type text not null, actor_id text, request_id text, occurred_at bigint not null, recorded_at bigint not null`,
};

const INDEXES = [
  'create index privacy_requests_due on privacy_requests (status, next_attempt_at)',
  'create index privacy_requests_contact on privacy_requests (contact_id)',
  'create index privacy_requests_callback on privacy_requests (callback_id)',
  'create unique index privacy_callbacks_code on privacy_callbacks (confirmation_code)',
  'create index privacy_callbacks_due on privacy_callbacks (status, next_attempt_at)',
  'create index consent_records_contact on consent_records (contact_id, purpose, occurred_at, id)',
];

// The consent ledger is append-only by its repository (it has no update), not by triggers as audit_events is:
// erasure must be able to delete a person's records, and a trigger cannot tell erasure from tampering.
export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  for (const [name, columns] of Object.entries(TABLES)) await sql.raw(`create table ${name} (${columns})`).execute(db);
  for (const ddl of INDEXES) await sql.raw(ddl).execute(db);
}
