// Putting a person into a sequence and taking them out. A person is in a sequence once: subscribing them again while
// they are in it, or after they finished or left, changes nothing, except an operator's explicit re-subscription
// (`restart`), which starts a finished or left subscription over from the first step. Leaving is recorded with the
// reason: `unsubscribed` (an operator), `replied`, `opted_out`, or what the send policy said at a step.
import type { AppContext } from '../../kernel/context.ts';
import type { SequenceSubscriptionTable, SequenceTable } from '../../db/tables/sequences.ts';
import type { Executor } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import { windowOf, delayMs, type Step } from './sequence.policy.ts';
import { nextDue, zoneOf } from './send-window.policy.ts';
import {
  contactTimezones,
  findSubscription,
  insertSubscription,
  leaveAllOfContact,
  pageTimeZone,
  restartSubscription,
} from './sequences.repository.ts';

export type SubscribeOutcome = 'subscribed' | 'restarted' | 'unchanged';

/** When the first step of a sequence falls due for a contact subscribed at `now`. */
async function firstDue(db: Executor, seq: SequenceTable, contactId: string, now: number): Promise<number> {
  const first = (JSON.parse(seq.steps) as Step[])[0]!;
  const [tz, pageTz] = await Promise.all([contactTimezones(db, [contactId]), pageTimeZone(db, seq.page_id)]);
  return nextDue(now, delayMs(first.delay), windowOf(first), zoneOf(tz.get(contactId) ?? null, pageTz));
}

/**
 * Subscribes a contact of the sequence's Page, in the caller's transaction. `restart` (an operator's explicit
 * re-subscription) starts a finished or left subscription over; an active one is never disturbed.
 */
export async function subscribeWithin(
  db: Executor,
  seq: SequenceTable,
  contactId: string,
  now: number,
  opts: { restart: boolean },
): Promise<{ outcome: SubscribeOutcome; subscription: SequenceSubscriptionTable }> {
  const existing = await findSubscription(db, seq.id, contactId);
  if (existing) {
    if (existing.status === 'active' || !opts.restart) return { outcome: 'unchanged', subscription: existing };
    const due = await firstDue(db, seq, contactId, now);
    await restartSubscription(db, existing.id, { due_at: due, subscribed_at: now, updated_at: now });
    return { outcome: 'restarted', subscription: (await findSubscription(db, seq.id, contactId))! };
  }
  const row: SequenceSubscriptionTable = {
    id: newId('ss', now),
    sequence_id: seq.id,
    page_id: seq.page_id,
    contact_id: contactId,
    status: 'active',
    reason: null,
    round: 1,
    next_step: 0,
    due_at: await firstDue(db, seq, contactId, now),
    subscribed_at: now,
    ended_at: null,
    updated_at: now,
  };
  // Two racing subscriptions insert one row: the loser reads the winner's.
  if (!(await insertSubscription(db, row)))
    return { outcome: 'unchanged', subscription: (await findSubscription(db, seq.id, contactId))! };
  return { outcome: 'subscribed', subscription: row };
}

/** The contact opted out: they leave every sequence they are in, in the transaction that recorded the choice. */
export async function leaveSequencesOnOptOut(ctx: AppContext, db: Executor, contactId: string): Promise<number> {
  return leaveAllOfContact(db, contactId, 'opted_out', ctx.clock.now());
}
