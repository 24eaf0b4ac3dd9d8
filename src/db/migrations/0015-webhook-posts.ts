import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// "Delivery" meant both a webhook POST that came in and a message that went out. Inbound POSTs are now "webhook
// posts" everywhere (code, tables, metrics); "delivery" is left to outbound sends, as Meta's API says it. Rows keep
// their ciphertexts: those are bound to the old table name, which the classification names (`sealedAs`).
export async function up(db: AnyDb): Promise<void> {
  for (const statement of [
    'drop index webhook_deliveries_status',
    'drop index webhook_deliveries_body_key',
    'drop index webhook_events_delivery',
    'alter table webhook_deliveries rename to webhook_posts',
    'alter table webhook_events rename column delivery_id to post_id',
    'alter table webhook_body_hashes rename column delivery_id to post_id',
    'create index webhook_posts_status on webhook_posts (status, id)',
    'create index webhook_posts_body_key on webhook_posts (body_key) where body_enc is not null',
    'create index webhook_events_post on webhook_events (post_id)',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
