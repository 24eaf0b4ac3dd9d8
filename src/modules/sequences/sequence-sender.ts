// The sequence sender: a background loop that sends each subscription's due step through the outbox. One turn is one
// transaction: the due subscriptions are claimed (on PostgreSQL locked with SKIP LOCKED, so senders in several
// processes never work the same one; on SQLite the one writer serialises them), and for each the step's delivery
// (the outbox row), the record of the step and the subscription's advance commit together or not at all. A crash
// before the commit leaves the step due, to be sent by the next turn; after it, the step is never sent again (and the
// delivery's idempotency key, `seq:<subscription>:<round>:<step>`, could not queue it twice anyway). The send policy
// is decided for the step as it falls due (sequence.policy.ts), and once more by the dispatcher as it sends.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import type { SequenceSubscriptionTable, SequenceTable } from '../../db/tables/sequences.ts';
import type { DB } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import { lookupFor, messageTexts, personalise, recipientData } from '../campaigns/campaign-message.ts';
import { memberRows } from '../campaigns/campaigns.repository.ts';
import { enqueueSend, marketingStateOf } from '../messaging/enqueue-send.ts';
import { MAX_TEXT_CHARS } from '../messaging/message-body.ts';
import { findPages } from '../messaging/send-targets.repository.ts';
import { decideStep, delayMs, windowOf, type Step } from './sequence.policy.ts';
import { nextDue, zoneOf } from './send-window.policy.ts';
import {
  advanceSubscription,
  claimDue,
  contactTimezones,
  findSequence,
  insertStepRun,
  pageTimeZone,
  postponeSubscription,
} from './sequences.repository.ts';

/** How many due subscriptions one turn takes. */
export const TURN_SIZE = 50;
/** How long a step waits when the Page cannot send (its token is invalid, it is disabled) before it is tried again. */
export const PAGE_RETRY_MS = 60 * 60 * 1000;
/** How long a subscription whose step failed to be worked (an unexpected error) waits before it is tried again. */
export const FAILED_STEP_RETRY_MS = 15 * 60 * 1000;

export interface SequenceSenderOptions {
  /** Pause between turns when nothing was due (default 1 s). */
  idleMs?: number;
  /** Called after a turn queued sends (the composition root wakes the dispatcher with it). */
  onQueued?: () => void;
}

const kindOf = (message: Record<string, unknown>): 'text' | 'media' | 'template' => {
  const att = message.attachment as { type?: string } | undefined;
  return !att ? 'text' : att.type === 'template' ? 'template' : 'media';
};

/** Starts the sender loop (the worker role runs one). */
export function startSequenceSender(ctx: AppContext, opts: SequenceSenderOptions = {}): BackgroundWorker {
  return startLoop({ name: 'sequence-sender', logger: ctx.logger, idleMs: opts.idleMs ?? 1000 }, async () => {
    const r = await sendDueSteps(ctx);
    if (r.queued > 0) opts.onQueued?.();
    return r.settled;
  });
}

/**
 * One turn: the steps due now, each sent or skipped and its subscription moved on. When the turn fails, its
 * subscriptions are worked one by one, each in a transaction of its own, so that one that cannot be worked (an
 * unexpected error: a contact's key destroyed by an erasure under way, a database error) does not hold back the others:
 * it is put off FAILED_STEP_RETRY_MS and logged (its id and the error's code, never its content).
 */
export async function sendDueSteps(ctx: AppContext, limit = TURN_SIZE): Promise<{ settled: number; queued: number }> {
  try {
    return await sendTurn(ctx, limit);
  } catch (err) {
    const now = ctx.clock.now();
    const due = await claimDue(ctx.db, ctx.database.dialect, now, limit);
    const total = { settled: 0, queued: 0 };
    for (const s of due) {
      try {
        const r = await sendTurn(ctx, 1, s.id);
        total.settled += r.settled;
        total.queued += r.queued;
      } catch (one) {
        ctx.logger.warn(
          { subscription: s.id, sequence: s.sequence_id, code: errorCode(one), turnCode: errorCode(err) },
          'a sequence step could not be worked; it is tried again later',
        );
        await postponeSubscription(ctx.db, s.id, now + FAILED_STEP_RETRY_MS, now);
        total.settled++;
      }
    }
    return total;
  }
}

/** An error's code or class name, for logs: never its message, which may quote data. */
function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return (err as { name?: string }).name ?? 'error';
  }
  return 'error';
}

async function sendTurn(ctx: AppContext, limit: number, only?: string): Promise<{ settled: number; queued: number }> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const due = await claimDue(trx, ctx.database.dialect, now, limit, only);
    if (due.length === 0) return { settled: 0, queued: 0 };
    const ids = [...new Set(due.map((s) => s.contact_id))];
    const pageIds = [...new Set(due.map((s) => s.page_id))];
    const [members, data, timezones, pages] = await Promise.all([
      memberRows(trx, ids),
      recipientData(ctx, trx, ids),
      contactTimezones(trx, ids),
      findPages(trx, pageIds),
    ]);
    const memberOf = new Map(members.map((m) => [m.id, m]));
    const pageTz = new Map<string, string | null>();
    for (const p of pageIds) pageTz.set(p, await pageTimeZone(trx, p));
    const sequences = new Map<string, SequenceTable | undefined>();
    let queued = 0;
    for (const s of due) {
      if (!sequences.has(s.sequence_id)) sequences.set(s.sequence_id, await findSequence(trx, s.sequence_id, null));
      const seq = sequences.get(s.sequence_id);
      if (!seq) continue;
      const steps = JSON.parse(seq.steps) as Step[];
      const zone = zoneOf(timezones.get(s.contact_id) ?? null, pageTz.get(s.page_id) ?? null);
      const after = (outcome: { status: 'active' | 'left'; reason: string | null }) => {
        const next = steps[s.next_step + 1];
        if (outcome.status === 'left') return { dueAt: null, status: 'left' as const, reason: outcome.reason };
        if (!next) return { dueAt: null, status: 'finished' as const, reason: null };
        return {
          dueAt: nextDue(now, delayMs(next.delay), windowOf(next), zone),
          status: 'active' as const,
          reason: null,
        };
      };
      const step = steps[s.next_step];
      // The sequence lost this step since (it was shortened): the person has had every step there is.
      if (!step) {
        await advanceSubscription(trx, s, { dueAt: null, status: 'finished', reason: null }, now);
        continue;
      }
      const m = memberOf.get(s.contact_id);
      const d = data.get(s.contact_id);
      const page = pages.find((p) => p.id === s.page_id);
      if (!m || !d || m.status === 'erased') {
        await settle(trx, s, null, 'erased', after({ status: 'left', reason: 'erased' }), now);
        continue;
      }
      const message = personalise(step.message, lookupFor(ctx, d)) as Record<string, unknown>;
      const decision = decideStep(
        {
          lastUserActionAt: m.last_user_action_at === null ? null : Number(m.last_user_action_at),
          contactStatus: m.status,
          consent: { replies: m.consent_replies, marketing: m.consent_marketing },
          pageStatus: page?.status ?? 'disabled',
          marketingToken: await marketingStateOf(trx, s.contact_id),
          kind: kindOf(message),
          psidInvalid: m.psid_invalid_at !== null,
          handledByHuman: m.human_handling,
          stopOnReply: seq.stop_on_reply === 1,
        },
        now,
      );
      if (decision.action === 'wait') {
        await postponeSubscription(trx, s.id, now + PAGE_RETRY_MS, now);
        continue;
      }
      if (decision.action === 'leave') {
        await settle(trx, s, null, decision.reason, after({ status: 'left', reason: decision.reason }), now);
        continue;
      }
      if (decision.action === 'skip') {
        const next = decision.leave
          ? after({ status: 'left', reason: decision.reason })
          : after({ status: 'active', reason: null });
        await settle(trx, s, null, decision.reason, next, now);
        continue;
      }
      if (typeof message.text === 'string' && [...message.text].length > MAX_TEXT_CHARS) {
        await settle(trx, s, null, 'message_too_long', after({ status: 'active', reason: null }), now);
        continue;
      }
      if (messageTexts(message).some((t) => t.trim() === '')) {
        await settle(trx, s, null, 'empty_message', after({ status: 'active', reason: null }), now);
        continue;
      }
      const res = await enqueueSend(trx, ctx, {
        contactId: s.contact_id,
        author: 'campaign',
        message,
        kind: kindOf(message),
        idempotencyKey: `seq:${s.id}:${s.round}:${s.next_step}`,
        createdBy: seq.id,
      });
      if (res.outcome === 'refused') {
        await settle(trx, s, null, res.reason, after({ status: 'active', reason: null }), now);
        continue;
      }
      if (res.outcome === 'skipped') {
        await settle(trx, s, null, res.delivery.reason ?? 'refused', after({ status: 'active', reason: null }), now);
        continue;
      }
      await settle(trx, s, res.delivery.id, null, after({ status: 'active', reason: null }), now);
      if (res.outcome === 'queued') queued++;
    }
    return { settled: due.length, queued };
  });
}

/** Records what became of the step (queued with its delivery, or skipped with the reason) and moves the person on. */
async function settle(
  trx: Transaction<DB>,
  s: SequenceSubscriptionTable,
  deliveryId: string | null,
  reason: string | null,
  next: { dueAt: number | null; status: 'active' | 'finished' | 'left'; reason: string | null },
  now: number,
): Promise<void> {
  await insertStepRun(trx, {
    id: newId('sr', now),
    subscription_id: s.id,
    sequence_id: s.sequence_id,
    page_id: s.page_id,
    contact_id: s.contact_id,
    round: s.round,
    step: s.next_step,
    status: deliveryId === null ? 'skipped' : 'queued',
    reason: deliveryId === null ? reason : null,
    delivery_id: deliveryId,
    at: now,
  });
  await advanceSubscription(trx, s, next, now);
}
