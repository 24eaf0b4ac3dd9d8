import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The search index of message words holds one row per contact and word instead of one per message and word: the
// search finds contacts, so the extra rows only cost writes (four B-trees per word of every message stored). Each row
// keeps the time of the newest message of that contact with that word, which is what lets the purge of message texts
// drop a word once no stored text of that contact holds it. Existing rows move over, keyed by their contact; a word
// whose messages all had their text purged already is not carried over. On SQLite the table is keyed by the lookup
// itself (WITHOUT ROWID): one B-tree for the search and the writes, one more by contact for erasure.
export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await sql`alter table message_tokens rename to message_tokens_by_message`.execute(db);
  await sql`drop index message_tokens_lookup`.execute(db);
  await sql`drop index message_tokens_message`.execute(db);
  await sql`drop index message_tokens_contact`.execute(db);
  await sql
    .raw(
      `create table message_tokens (page_id text not null, token text not null, contact_id text not null,
       key_version integer not null, last_at bigint not null, primary key (page_id, token, contact_id))` +
        (dialect === 'sqlite' ? ' without rowid' : ''),
    )
    .execute(db);
  await sql`insert into message_tokens (page_id, token, contact_id, key_version, last_at)
    select t.page_id, t.token, t.contact_id, max(t.key_version), max(m.sent_at)
    from message_tokens_by_message t join messages m on m.id = t.message_id
    where m.text_enc is not null
    group by t.page_id, t.token, t.contact_id`.execute(db);
  await sql`drop table message_tokens_by_message`.execute(db);
  await sql`create index message_tokens_contact on message_tokens (contact_id)`.execute(db);
}
