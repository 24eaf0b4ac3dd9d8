// A Page's follow-up sequences: list, create, change, delete (owners, admins and marketers; audited), subscribe and
// unsubscribe a contact (audited), and the subscribers with the figures per step. Sending is in sequence-sender.ts.
import type { AppContext } from '../../kernel/context.ts';
import type { SequenceTable, SubscriptionStatus } from '../../db/tables/sequences.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findSendTarget } from '../messaging/send-targets.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { checkName, checkSteps } from './sequence.policy.ts';
import {
  presentFigures,
  presentSequence,
  presentSubscriber,
  type SequenceFiguresView,
  type SequenceView,
  type SubscriberView,
} from './sequence.presenter.ts';
import {
  countSequences,
  deleteSequenceRows,
  endSubscription,
  findSequence,
  findSubscription,
  insertSequence,
  listSequenceRows,
  listSubscriptionRows,
  stepFigures,
  subscriptionFigures,
  updateSequenceRow,
} from './sequences.repository.ts';
import { subscribeWithin, type SubscribeOutcome } from './subscriptions.ts';

export const MAX_SEQUENCES_PER_PAGE = 100;

export interface SequenceInput {
  name?: unknown;
  enabled?: unknown;
  stop_on_reply?: unknown;
  steps?: unknown;
}

function flag(raw: unknown, field: string): number {
  if (typeof raw !== 'boolean') throw new AppError('validation_failed', `${field}: true or false`, { field });
  return raw ? 1 : 0;
}

/** A sequence the actor may see; another Page's is a 404. */
export async function visibleSequence(db: Executor, actor: Actor, id: string): Promise<SequenceTable> {
  const row = await findSequence(db, id, pageScopeOf(actor));
  if (!row) throw notFound('sequence');
  return row;
}

/** A Page's sequences, oldest first, for whoever may read the Page. */
export async function listSequences(ctx: AppContext, actor: Actor, pageId: string): Promise<SequenceView[]> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return (await listSequenceRows(ctx.db, pageId)).map(presentSequence);
}

export async function getSequence(ctx: AppContext, actor: Actor, id: string): Promise<SequenceView> {
  assertCan(actor, 'pages:read');
  return presentSequence(await visibleSequence(ctx.db, actor, id));
}

/** A new sequence, checked whole before anything is written; audited. */
export async function createSequence(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: SequenceInput,
): Promise<SequenceView> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const name = checkName(input.name);
  const steps = checkSteps(input.steps);
  const enabled = input.enabled === undefined ? 1 : flag(input.enabled, 'enabled');
  const stopOnReply = input.stop_on_reply === undefined ? 1 : flag(input.stop_on_reply, 'stop_on_reply');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    if ((await countSequences(trx, pageId)) >= MAX_SEQUENCES_PER_PAGE)
      throw new AppError('conflict', `a Page holds at most ${MAX_SEQUENCES_PER_PAGE} sequences`);
    const row: SequenceTable = {
      id: newId('sq', now),
      page_id: pageId,
      name,
      enabled,
      stop_on_reply: stopOnReply,
      steps: JSON.stringify(steps),
      created_by: actor.id,
      created_at: now,
      updated_at: now,
    };
    await insertSequence(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'sequence.create',
        pageId,
        subjectType: 'sequence',
        subjectId: row.id,
        details: { name, steps: steps.length },
      },
      now,
    );
    return presentSequence(row);
  });
}

/**
 * Changes a sequence; audited with the members changed. People keep their place: new steps apply from the step each
 * waits for (a step removed from the end finishes those who waited for it).
 */
export async function updateSequence(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: SequenceInput,
): Promise<SequenceView> {
  assertCan(actor, 'campaigns:manage');
  const set: Partial<SequenceTable> = {};
  if (input.name !== undefined) set.name = checkName(input.name);
  if (input.enabled !== undefined) set.enabled = flag(input.enabled, 'enabled');
  if (input.stop_on_reply !== undefined) set.stop_on_reply = flag(input.stop_on_reply, 'stop_on_reply');
  if (input.steps !== undefined) set.steps = JSON.stringify(checkSteps(input.steps));
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await visibleSequence(trx, actor, id);
    const changed = Object.keys(set);
    if (changed.length === 0) return presentSequence(row);
    set.updated_at = now;
    await updateSequenceRow(trx, id, set);
    await appendAudit(
      trx,
      actor,
      { action: 'sequence.update', pageId: row.page_id, subjectType: 'sequence', subjectId: id, details: { changed } },
      now,
    );
    return presentSequence({ ...row, ...set });
  });
}

/** Deletes a sequence with its subscriptions: nothing more of it is sent; audited. */
export async function deleteSequence(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await visibleSequence(trx, actor, id);
    await deleteSequenceRows(trx, id);
    await appendAudit(
      trx,
      actor,
      {
        action: 'sequence.delete',
        pageId: row.page_id,
        subjectType: 'sequence',
        subjectId: id,
        details: { name: row.name },
      },
      now,
    );
  });
}

/** A contact of the sequence's Page who can be written to; 404 otherwise (another Page's contact is not there). */
async function subscribable(db: Executor, seq: SequenceTable, contactId: unknown): Promise<string> {
  if (typeof contactId !== 'string' || contactId === '')
    throw new AppError('validation_failed', 'contact_id: a contact id', { field: 'contact_id' });
  const target = await findSendTarget(db, contactId);
  if (!target || target.page_id !== seq.page_id || target.status === 'erased') throw notFound('contact');
  if (target.consent_replies === 'withdrawn' || target.consent_marketing === 'withdrawn')
    throw new AppError('conflict', 'this contact opted out: a sequence sends them nothing', { reason: 'opted_out' });
  if (target.status === 'unreachable' || target.psid_invalid_at !== null)
    throw new AppError('conflict', 'this contact cannot be reached', { reason: 'unreachable' });
  return contactId;
}

/**
 * Subscribes a contact (an operator's explicit subscription): once while they are in it; after they finished or
 * left, it starts over from the first step. Audited when it changed something.
 */
export async function subscribeContact(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { contact_id?: unknown },
): Promise<{ outcome: SubscribeOutcome; subscriber: SubscriberView }> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const seq = await visibleSequence(trx, actor, id);
    const contactId = await subscribable(trx, seq, input.contact_id);
    const r = await subscribeWithin(trx, seq, contactId, now, { restart: true });
    if (r.outcome !== 'unchanged')
      await appendAudit(
        trx,
        actor,
        {
          action: 'sequence.subscribe',
          pageId: seq.page_id,
          subjectType: 'contact',
          subjectId: contactId,
          details: { sequence_id: seq.id, outcome: r.outcome },
        },
        now,
      );
    return { outcome: r.outcome, subscriber: presentSubscriber(r.subscription) };
  });
}

/** Takes a contact out of a sequence (reason `unsubscribed`); a contact not in it is a 404. Audited. */
export async function unsubscribeContact(
  ctx: AppContext,
  actor: Actor,
  id: string,
  contactId: string,
): Promise<SubscriberView> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const seq = await visibleSequence(trx, actor, id);
    const sub = await findSubscription(trx, seq.id, contactId);
    if (!sub) throw notFound('subscriber');
    if (await endSubscription(trx, sub.id, 'left', 'unsubscribed', now))
      await appendAudit(
        trx,
        actor,
        {
          action: 'sequence.unsubscribe',
          pageId: seq.page_id,
          subjectType: 'contact',
          subjectId: contactId,
          details: { sequence_id: seq.id },
        },
        now,
      );
    return presentSubscriber((await findSubscription(trx, seq.id, contactId))!);
  });
}

/** A sequence's subscribers (optionally of one status), with the figures of the whole sequence and per step. */
export async function listSubscribers(
  ctx: AppContext,
  actor: Actor,
  id: string,
  o: { status?: SubscriptionStatus | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ data: SubscriberView[]; next_cursor: string | null; figures: SequenceFiguresView }> {
  assertCan(actor, 'contacts:read');
  const seq = await visibleSequence(ctx.db, actor, id);
  const limit = Math.min(Math.max(o.limit ?? 50, 1), 200);
  const [rows, subs, runs] = await Promise.all([
    listSubscriptionRows(ctx.db, seq.id, { status: o.status ?? null, after: o.cursor ?? null, limit: limit + 1 }),
    subscriptionFigures(ctx.db, seq.id),
    stepFigures(ctx.db, seq.id),
  ]);
  const page = pageOf(rows, limit, (last) => last.id);
  return {
    data: page.rows.map(presentSubscriber),
    next_cursor: page.nextCursor,
    figures: presentFigures((JSON.parse(seq.steps) as unknown[]).length, subs, runs),
  };
}
