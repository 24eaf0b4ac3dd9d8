import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Messenger's handover protocol: another app that asked for a thread pagescope controls (a request_thread_control
// webhook), and when, until the thread changes hands or an operator declines; the inbox shows the request.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('thread_request_app_id', 'text').execute();
  await db.schema.alterTable('contacts').addColumn('thread_request_at', 'bigint').execute();
}
