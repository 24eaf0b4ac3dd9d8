import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Messenger's handover protocol: when the evidence behind a contact's thread owner happened (a handover webhook, our
// own thread-control call, or a message on the `messaging` or `standby` channel), so that older evidence processed
// later never overrides newer. contacts.thread_owner_app_id (migration 0002) holds the owner itself.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('thread_owner_at', 'bigint').execute();
}
