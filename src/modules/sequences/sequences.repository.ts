// The SQL of sequences: the sequences themselves, their subscriptions (one per sequence and person) and the record
// of each step sent or skipped. Times come back as numbers on both databases.
import { sql } from 'kysely';
import type {
  SequenceStepRunTable,
  SequenceSubscriptionTable,
  SequenceTable,
  SubscriptionStatus,
} from '../../db/tables/sequences.ts';
import type { Dialect, Executor } from '../../db/types.ts';
import { PreparedQuery } from '../../db/prepared.ts';
import { forgetInTransaction, readOncePerTransaction } from '../../db/transaction-memo.ts';

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function sequenceRow(r: SequenceTable): SequenceTable {
  return {
    ...r,
    enabled: Number(r.enabled),
    stop_on_reply: Number(r.stop_on_reply),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

export function subscriptionRow(r: SequenceSubscriptionTable): SequenceSubscriptionTable {
  return {
    ...r,
    round: Number(r.round),
    next_step: Number(r.next_step),
    due_at: n(r.due_at),
    subscribed_at: Number(r.subscribed_at),
    ended_at: n(r.ended_at),
    updated_at: Number(r.updated_at),
  };
}

export async function insertSequence(db: Executor, row: SequenceTable): Promise<void> {
  await db.insertInto('sequences').values(row).execute();
}

/** A sequence by id, within the Pages of the scope (null: every Page). */
export async function findSequence(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<SequenceTable | undefined> {
  let q = db.selectFrom('sequences').selectAll().where('id', '=', id);
  if (pageScope !== null) {
    if (pageScope.length === 0) return undefined;
    q = q.where('page_id', 'in', [...pageScope]);
  }
  const row = await q.executeTakeFirst();
  return row && sequenceRow(row);
}

export async function listSequenceRows(db: Executor, pageId: string): Promise<SequenceTable[]> {
  const rows = await db.selectFrom('sequences').selectAll().where('page_id', '=', pageId).orderBy('id').execute();
  return rows.map(sequenceRow);
}

export async function countSequences(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('sequences')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateSequenceRow(db: Executor, id: string, set: Partial<SequenceTable>): Promise<void> {
  await db.updateTable('sequences').set(set).where('id', '=', id).execute();
}

/** Deletes a sequence with its subscriptions and their step records. */
export async function deleteSequenceRows(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('sequence_step_runs').where('sequence_id', '=', id).execute();
  await db.deleteFrom('sequence_subscriptions').where('sequence_id', '=', id).execute();
  await db.deleteFrom('sequences').where('id', '=', id).execute();
}

export async function findSubscription(
  db: Executor,
  sequenceId: string,
  contactId: string,
): Promise<SequenceSubscriptionTable | undefined> {
  const row = await db
    .selectFrom('sequence_subscriptions')
    .selectAll()
    .where('sequence_id', '=', sequenceId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row && subscriptionRow(row);
}

/** Inserts the subscription unless the person already has one for the sequence; true when inserted. */
export async function insertSubscription(db: Executor, row: SequenceSubscriptionTable): Promise<boolean> {
  const r = await db
    .insertInto('sequence_subscriptions')
    .values(row)
    .onConflict((oc) => oc.columns(['sequence_id', 'contact_id']).doNothing())
    .executeTakeFirst();
  forgetInTransaction(db, 'sequence_subscriptions');
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Starts a finished or left subscription over (a new round from the first step); false if it was active. */
export async function restartSubscription(
  db: Executor,
  id: string,
  set: Pick<SequenceSubscriptionTable, 'due_at' | 'subscribed_at' | 'updated_at'>,
): Promise<boolean> {
  const r = await db
    .updateTable('sequence_subscriptions')
    .set((eb) => ({
      ...set,
      status: 'active' as const,
      reason: null,
      next_step: 0,
      ended_at: null,
      round: eb('round', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '!=', 'active')
    .executeTakeFirst();
  forgetInTransaction(db, 'sequence_subscriptions');
  return Number(r.numUpdatedRows) > 0;
}

/** Ends an active subscription (left, with the reason); false if it was not active. */
export async function endSubscription(
  db: Executor,
  id: string,
  status: Exclude<SubscriptionStatus, 'active'>,
  reason: string | null,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('sequence_subscriptions')
    .set({ status, reason, due_at: null, ended_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Ends every active subscription of a contact (an opt-out); returns how many. */
export async function leaveAllOfContact(db: Executor, contactId: string, reason: string, now: number): Promise<number> {
  const r = await db
    .updateTable('sequence_subscriptions')
    .set({ status: 'left', reason, due_at: null, ended_at: now, updated_at: now })
    .where('contact_id', '=', contactId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Run once per inbound message: the contact leaves every active sequence that stops on reply. */
const leaveOnReply = new PreparedQuery<{ contact: string; now: number; reason: string }, never>((db, slot) =>
  db
    .updateTable('sequence_subscriptions')
    .set({ status: 'left', reason: slot('reason'), due_at: null, ended_at: slot('now'), updated_at: slot('now') })
    .where('contact_id', '=', slot('contact'))
    .where('status', '=', 'active')
    .where('sequence_id', 'in', (eb) => eb.selectFrom('sequences').select('id').where('stop_on_reply', '=', 1)),
);

/** Whether any subscription is active, on any Page: a point read of the (status, due_at) index. */
const anyActive = new PreparedQuery<Record<string, never>, { one: number }>((db) =>
  db
    .selectFrom('sequence_subscriptions')
    .select(sql<number>`1`.as('one'))
    .where('status', '=', 'active')
    .limit(1),
);

export async function leaveSequencesOnReply(db: Executor, contactId: string, now: number): Promise<number> {
  // Where nobody is in a sequence (most Pages, most of the time) a processing transaction asks once, not once per
  // message; a subscription it starts itself is seen (insertSubscription and restartSubscription forget the answer).
  const someoneActive = await readOncePerTransaction(
    db,
    'sequence_subscriptions:any_active',
    async () => (await anyActive.first(db, {})) !== undefined,
  );
  if (!someoneActive) return 0;
  return (await leaveOnReply.run(db, { contact: contactId, now, reason: 'replied' })).changed;
}

/**
 * Due subscriptions of enabled sequences, oldest due first; on PostgreSQL locked for the caller's transaction and
 * skipping those another process holds, so that each is worked by one sender at a time.
 */
export async function claimDue(
  db: Executor,
  dialect: Dialect,
  now: number,
  limit: number,
  only?: string,
): Promise<SequenceSubscriptionTable[]> {
  let q = db
    .selectFrom('sequence_subscriptions as s')
    .selectAll('s')
    .where('s.status', '=', 'active')
    .where('s.due_at', '<=', now)
    .where('s.sequence_id', 'in', (eb) => eb.selectFrom('sequences').select('id').where('enabled', '=', 1))
    .orderBy('s.due_at')
    .orderBy('s.id')
    .limit(limit);
  if (only !== undefined) q = q.where('s.id', '=', only);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  return (await q.execute()).map(subscriptionRow);
}

/**
 * Moves an active subscription past `step` of `round`: to the next step due at `dueAt`, or finished (dueAt null
 * and `finished`). Conditional on the step it was at: false when another turn moved it first.
 */
export async function advanceSubscription(
  db: Executor,
  s: Pick<SequenceSubscriptionTable, 'id' | 'round' | 'next_step'>,
  next: { dueAt: number | null; status: SubscriptionStatus; reason: string | null },
  now: number,
): Promise<boolean> {
  const ended = next.status !== 'active';
  const r = await db
    .updateTable('sequence_subscriptions')
    .set({
      next_step: s.next_step + 1,
      due_at: next.dueAt,
      status: next.status,
      reason: next.reason,
      ended_at: ended ? now : null,
      updated_at: now,
    })
    .where('id', '=', s.id)
    .where('status', '=', 'active')
    .where('round', '=', s.round)
    .where('next_step', '=', s.next_step)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Moves a due subscription's step later (the Page cannot send now). */
export async function postponeSubscription(db: Executor, id: string, dueAt: number, now: number): Promise<void> {
  await db
    .updateTable('sequence_subscriptions')
    .set({ due_at: dueAt, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .execute();
}

export async function insertStepRun(db: Executor, row: SequenceStepRunTable): Promise<void> {
  await db.insertInto('sequence_step_runs').values(row).execute();
}

export async function pageTimeZone(db: Executor, pageId: string): Promise<string | null> {
  const row = await db
    .selectFrom('page_automation_settings')
    .select('time_zone')
    .where('page_id', '=', pageId)
    .executeTakeFirst();
  return row && row.time_zone !== '' ? row.time_zone : null;
}

export async function contactTimezones(db: Executor, ids: readonly string[]): Promise<Map<string, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'timezone'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.timezone === null ? null : Number(r.timezone)]));
}

/** A sequence's subscribers, oldest subscription first, optionally of one status; keyset paging on the id. */
export async function listSubscriptionRows(
  db: Executor,
  sequenceId: string,
  o: { status: SubscriptionStatus | null; after: string | null; limit: number },
): Promise<SequenceSubscriptionTable[]> {
  let q = db.selectFrom('sequence_subscriptions').selectAll().where('sequence_id', '=', sequenceId);
  if (o.status !== null) q = q.where('status', '=', o.status);
  if (o.after !== null) q = q.where('id', '>', o.after);
  return (await q.orderBy('id').limit(o.limit).execute()).map(subscriptionRow);
}

/** Subscriptions by status and reason, and the active ones by the step they wait for. */
export async function subscriptionFigures(db: Executor, sequenceId: string) {
  const [byStatus, waiting] = await Promise.all([
    db
      .selectFrom('sequence_subscriptions')
      .select(['status', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('sequence_id', '=', sequenceId)
      .groupBy(['status', 'reason'])
      .execute(),
    db
      .selectFrom('sequence_subscriptions')
      .select(['next_step', (eb) => eb.fn.countAll<number>().as('n')])
      .where('sequence_id', '=', sequenceId)
      .where('status', '=', 'active')
      .groupBy('next_step')
      .execute(),
  ]);
  return {
    byStatus: byStatus.map((r) => ({ status: r.status, reason: r.reason, n: Number(r.n) })),
    waiting: waiting.map((r) => ({ step: Number(r.next_step), n: Number(r.n) })),
  };
}

/** Per step: the runs skipped by reason, and the queued ones by their delivery's status now. */
export async function stepFigures(db: Executor, sequenceId: string) {
  const rows = await db
    .selectFrom('sequence_step_runs as r')
    .leftJoin('deliveries as d', 'd.id', 'r.delivery_id')
    .select([
      'r.step',
      'r.status',
      'r.reason',
      sql<string | null>`d.status`.as('delivery_status'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('r.sequence_id', '=', sequenceId)
    .groupBy(['r.step', 'r.status', 'r.reason', 'd.status'])
    .execute();
  return rows.map((r) => ({
    step: Number(r.step),
    status: r.status,
    reason: r.reason,
    deliveryStatus: r.delivery_status,
    n: Number(r.n),
  }));
}
