import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The inbox: a conversation per contact, the event log live updates are served from, and the search index of
// message words. Contacts that already have history get their conversation here (open, waiting since their last
// message when nobody answered it), so an upgraded install shows its existing threads.
export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('handled_by', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('waiting_since', 'bigint')
    .addColumn('last_message_id', 'text')
    .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
    .addColumn('snoozed_until', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversations_page_status_activity')
    .on('conversations')
    .columns(['page_id', 'status', 'last_activity_at', 'id'])
    .execute();
  await sql
    .raw(
      'create index conversations_page_status_waiting on conversations (page_id, status, (coalesce(waiting_since, 9007199254740991)), id)',
    )
    .execute(db);
  await db.schema
    .createIndex('conversations_page_assignee')
    .on('conversations')
    .columns(['page_id', 'assignee_id', 'status'])
    .execute();
  await sql
    .raw("create index conversations_snoozed on conversations (snoozed_until) where status = 'snoozed'")
    .execute(db);
  // The inbox's window filters ("closing soon", "human agent window") are ranges of the contact's last action.
  await db.schema
    .createIndex('contacts_page_last_action')
    .on('contacts')
    .columns(['page_id', 'last_user_action_at'])
    .execute();

  const seq = dialect === 'postgres' ? 'seq bigserial primary key' : 'seq integer primary key autoincrement';
  await sql
    .raw(
      `create table inbox_events (${seq}, page_id text not null, type text not null, conversation_id text, ` +
        'contact_id text, message_id text, delivery_id text, at bigint not null)',
    )
    .execute(db);
  await db.schema.createIndex('inbox_events_at').on('inbox_events').columns(['at']).execute();

  await db.schema
    .createTable('message_tokens')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('message_tokens_lookup')
    .on('message_tokens')
    .columns(['page_id', 'token', 'contact_id'])
    .execute();
  await db.schema.createIndex('message_tokens_message').on('message_tokens').columns(['message_id']).execute();
  await db.schema.createIndex('message_tokens_contact').on('message_tokens').columns(['contact_id']).execute();

  await sql
    .raw(
      `insert into conversations (id, page_id, contact_id, status, assignee_id, handled_by, labels, unread_count,
       waiting_since, last_message_id, last_activity_at, snoozed_until, version, created_at, updated_at)
     select 'cv_' || substr(c.id, 4), c.page_id, c.id, 'open', null, 'human', '[]', 0,
       case when c.last_inbound_at is not null and c.last_inbound_at > coalesce(c.last_outbound_at, 0) then c.last_inbound_at end,
       null, coalesce(c.last_inbound_at, c.last_outbound_at, c.created_at), null, 1, c.created_at, c.created_at
     from contacts c
     where c.status <> 'erased' and c.merged_into is null and exists (select 1 from messages m where m.contact_id = c.id)`,
    )
    .execute(db);
}
