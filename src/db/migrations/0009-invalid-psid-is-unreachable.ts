import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A contact whose PSID Meta said it did not know (100/2018001) used to stay `active` while every send to it was skipped
// in silence. It now shows `unreachable` (reason `invalid_recipient`, since the failure) until the person acts again;
// contacts flagged before this change get the same state.
export async function up(db: AnyDb): Promise<void> {
  await db
    .updateTable('contacts')
    .set((eb) => ({ status: 'unreachable', status_reason: 'invalid_recipient', status_at: eb.ref('psid_invalid_at') }))
    .where('psid_invalid_at', 'is not', null)
    .where('status', '=', 'active')
    .execute();
}
