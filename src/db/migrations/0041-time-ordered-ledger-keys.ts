import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The idempotency ledger's key (webhook_events.event_key, unique per Page) is a blind index: random, so once the index
// outgrew the page cache every processed event wrote a page of its own into it. New keys begin with the event's own
// time (12 hex digits, see timeOrderedKey), so they land together at the index's end; the stored keys get the same
// prefix from their occurred_at, which is the event's own time for every kind that carries one, so a redelivery of an
// event processed before the upgrade still finds its key. (An unknown item without a time was stored under the time
// it was received; its redelivery is now keyed under time 0 and would be kept raw a second time.)
// Every stored ledger row is rewritten once: about 20 s per million events on SQLite, measured on a 2-core machine.
// The keys of webhook_body_hashes are not rewritten: the new ones begin with the time in the body, which the stored
// hashes cannot give back; a retry of a POST stored before the upgrade is then caught by the ledger, event by event.
export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const prefix =
    dialect === 'sqlite'
      ? sql`printf('%012x', max(0, min(occurred_at, 281474976710655)))`
      : sql`lpad(to_hex(greatest(0, least(occurred_at, 281474976710655))), 12, '0')`;
  await sql`update webhook_events set event_key = ${prefix} || event_key`.execute(db);
}
