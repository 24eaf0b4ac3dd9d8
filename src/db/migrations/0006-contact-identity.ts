import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Identity links: account-linking codes by keyed hash, the ids_for_pages schedule, and one link
// row per (pair, source) at most, so that linking is idempotent even when two workers record the same link at once.
export async function up(db: AnyDb): Promise<void> {
  await sql
    .raw(
      `create table account_link_codes (id text primary key, page_id text not null, contact_id text not null,
          code_bidx text not null, created_at bigint not null)`,
    )
    .execute(db);
  await sql
    .raw('create unique index account_link_codes_contact on account_link_codes (contact_id, code_bidx)')
    .execute(db);
  await sql.raw('create index account_link_codes_code on account_link_codes (code_bidx)').execute(db);
  await sql
    .raw(
      `create table contact_id_matching (contact_id text primary key, page_id text not null,
          status text not null default 'pending', next_at bigint not null, checked_at bigint, error_code text)`,
    )
    .execute(db);
  await sql.raw('create index contact_id_matching_due on contact_id_matching (next_at)').execute(db);
  // Links written before this step may repeat a pair; keep the first of each before making the pair unique.
  await sql
    .raw(
      `delete from contact_links where id not in
          (select min(id) from contact_links group by contact_id, linked_contact_id, source)`,
    )
    .execute(db);
  await sql
    .raw('create unique index contact_links_pair on contact_links (contact_id, linked_contact_id, source)')
    .execute(db);
}
