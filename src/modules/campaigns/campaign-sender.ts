// The campaign sender: a background loop that starts scheduled campaigns when they fall due, freezes started
// campaigns' audiences a batch per turn (freeze-audience.ts) and moves running campaigns' frozen recipients into the
// outbox at each campaign's pace. Each turn of a campaign is one transaction:
// the recipients' new status, their deliveries (the outbox rows) and their tracked links commit together or not at
// all, so a crash between turns neither loses nor repeats a send (and a delivery's idempotency key,
// `campaign:<id>:<contact>`, makes a second queueing of one person impossible). The policy is decided again for
// each recipient as it is queued; the dispatcher decides once more as it sends.
import type { AppContext } from '../../kernel/context.ts';
import { letEventLoopRun, startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import type { CampaignLinkTable, CampaignTable } from '../../db/tables/campaigns.ts';
import { enqueueSend } from '../messaging/enqueue-send.ts';
import { MAX_TEXT_CHARS } from '../messaging/message-body.ts';
import { findPages } from '../messaging/send-targets.repository.ts';
import type { MessageKind } from '../messaging/send.policy.ts';
import { messageTexts, newLinkToken, recipientData, trackLinks } from './campaign-message.ts';
import { markPayloads } from './campaign-payload.ts';
import { CampaignRenderer } from './campaign-render.ts';
import { exclusionFor, newPace, PACE_WINDOW_MS, paceAllowance, spend, type PaceState } from './campaign.policy.ts';
import { campaignUpdated } from './campaigns.ts';
import {
  activeCampaigns,
  campaignSendsInOutbox,
  insertLinks,
  lockCampaign,
  marketingTokenStates,
  memberRows,
  moveCampaign,
  pendingRecipients,
  settleRecipient,
} from './campaigns.repository.ts';
import { beginCampaign } from './run-campaign.ts';
import { freezeAudienceStep } from './freeze-audience.ts';
import { ensureMetaCampaign } from './meta-campaign.ts';
import { marketingEnabled } from '../pages/marketing-messages.ts';

export interface CampaignSenderOptions {
  /** Pause between turns when no campaign could queue anything (default 50 ms: a tenth of the smallest bucket). */
  idleMs?: number;
  /** Called after a turn queued sends (the composition root wakes the dispatcher with it). */
  onQueued?: () => void;
  /** Members of a starting campaign's audience frozen per turn (default FREEZE_BATCH). */
  freezeBatch?: number;
}

/** At most this often a running campaign announces its progress on the event stream. */
const PROGRESS_EVENT_MS = 1000;

/** A start or a freeze that failed (its filter no longer compiles, say) is tried again after this long. */
const RETRY_MS = 10_000;

interface SenderState {
  pace: Map<string, PaceState>;
  lastEvent: Map<string, number>;
  /** Campaigns whose last start or freeze turn failed, and when to try again: the others' turns go on meanwhile. */
  retryAt: Map<string, number>;
}

/** The tracked URL of a link token. */
export function trackedUrl(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl.replace(/\/+$/, '')}/r/${token}`;
}

/** Starts the sender loop (the worker role runs one). */
export function startCampaignSender(ctx: AppContext, opts: CampaignSenderOptions = {}): BackgroundWorker {
  return startLoop(
    { name: 'campaign-sender', logger: ctx.logger, idleMs: opts.idleMs ?? 50 },
    campaignSenderTurns(ctx, opts),
  );
}

/**
 * The sender's iteration, for the loop to run again and again: each call gives every active campaign one turn (a due
 * scheduled campaign starts, a starting one freezes its next batch, a running one queues what its pace allows) and
 * returns how much work it did (0: idle).
 */
export function campaignSenderTurns(ctx: AppContext, opts: CampaignSenderOptions = {}): () => Promise<number> {
  const state: SenderState = { pace: new Map(), lastEvent: new Map(), retryAt: new Map() };
  return async () => {
    const now = ctx.clock.now();
    const campaigns = await activeCampaigns(ctx.db, now);
    // A paused campaign's pace is kept while its last sends are within the window: resuming at once must not
    // queue a second's worth on top of them.
    for (const [id, pace] of state.pace)
      if (!campaigns.some((c) => c.id === id) && pace.recent.every((t) => t <= now - PACE_WINDOW_MS))
        state.pace.delete(id);
    let worked = 0;
    for (const c of campaigns) {
      if (c.status === 'scheduled') {
        // Its saved segment was deleted, say: it stays scheduled (a user may cancel it) and the others go on.
        worked += await guarded(ctx, state, c, now, 'scheduled campaign could not start', () =>
          ctx.db.transaction().execute(async (trx) => {
            if (!(await beginCampaign(trx, c, now))) return 0;
            await campaignUpdated(trx, ctx, c, now);
            return 1;
          }),
        );
        continue;
      }
      if (c.audience_frozen_at === null || c.audience_frozen_at === undefined) {
        // One batch of its audience per turn; the next campaign's turn (and the loop's next) after the event loop ran.
        const announce = now - (state.lastEvent.get(c.id) ?? 0) >= PROGRESS_EVENT_MS;
        worked += await guarded(ctx, state, c, now, 'campaign audience freeze failed', async () => {
          const step = await freezeAudienceStep(ctx, c, {
            announce,
            ...(opts.freezeBatch !== undefined && { batchSize: opts.freezeBatch }),
          });
          if (announce && step.moved) state.lastEvent.set(c.id, now);
          return step.moved ? step.stored + 1 : 0;
        });
        await letEventLoopRun();
        continue;
      }
      const queued = await sendTurn(ctx, state, c);
      if (queued > 0) opts.onQueued?.();
      worked += queued;
    }
    return worked;
  };
}

/**
 * Runs a campaign's start or freeze turn unless an earlier one failed less than RETRY_MS ago; a failure is logged and
 * puts the campaign's next try off, so one campaign that cannot go on never holds up the others. Returns the work done.
 */
async function guarded(
  ctx: AppContext,
  state: SenderState,
  c: CampaignTable,
  now: number,
  failure: string,
  turn: () => Promise<number>,
): Promise<number> {
  if ((state.retryAt.get(c.id) ?? 0) > now) return 0;
  try {
    const worked = await turn();
    state.retryAt.delete(c.id);
    return worked;
  } catch (err) {
    ctx.logger.error({ err, campaignId: c.id }, `${failure}; trying again later`);
    state.retryAt.set(c.id, now + RETRY_MS);
    return 0;
  }
}

/** One turn of one running campaign: queue what its pace allows now. Returns how many recipients it settled. */
async function sendTurn(ctx: AppContext, state: SenderState, c: CampaignTable): Promise<number> {
  const rate = c.max_per_second;
  const inOutbox = await campaignSendsInOutbox(ctx.db, c.id);
  const now = ctx.clock.now();
  const { allowance, state: pace } = paceAllowance(state.pace.get(c.id) ?? newPace(now, rate), now, rate, inOutbox);
  state.pace.set(c.id, pace);
  if (allowance === 0) return 0;
  // A marketing campaign's sends name its message campaign at Meta: created before the first of them is queued.
  if (c.kind === 'marketing' && !(await ensureMetaCampaign(ctx, c))) return 0;
  const dialect = ctx.database.dialect;
  // Flushed to disk later (SQLite): a crash before the flush loses the recipients' new status and their deliveries
  // together, so they are queued again, never twice; and the dispatcher sends nothing before its own claim is flushed,
  // which flushes this commit too.
  const { result } = await ctx.database.transactionFlushedLater(async (trx) => {
    const fresh = await lockCampaign(trx, dialect, c.id);
    if (fresh?.status !== 'running') return { settled: 0, queued: 0 };
    const pending = await pendingRecipients(trx, dialect, c.id, allowance);
    if (pending.length === 0) {
      if (await moveCampaign(trx, c.id, ['running'], 'completed', { finished_at: now }, now))
        await campaignUpdated(trx, ctx, c, now);
      return { settled: 0, queued: 0 };
    }
    const ids = pending.map((r) => r.contact_id);
    const marketing = c.kind === 'marketing';
    const [members, data, [page], tokens, pageEnabled] = await Promise.all([
      memberRows(trx, ids),
      recipientData(ctx, trx, ids),
      findPages(trx, [c.page_id]),
      marketing ? marketingTokenStates(trx, ids) : new Map<string, never>(),
      marketing && marketingEnabled(trx, c.page_id),
    ]);
    const memberOf = new Map(members.map((m) => [m.id, m]));
    const renderer = new CampaignRenderer(ctx, trx, c, now);
    const links: CampaignLinkTable[] = [];
    let queuedHere = 0;
    for (const r of pending) {
      const m = memberOf.get(r.contact_id);
      const d = data.get(r.contact_id);
      let reason: string | null =
        m && d
          ? exclusionFor(
              {
                lastUserActionAt: m.last_user_action_at === null ? null : Number(m.last_user_action_at),
                contactStatus: m.status,
                consent: { replies: m.consent_replies, marketing: m.consent_marketing },
                pageStatus: page?.status ?? 'disabled',
                psidInvalid: m.psid_invalid_at !== null,
                handledByHuman: m.human_handling,
                alreadyReceived: false,
                ...(marketing && {
                  marketing: {
                    pageEnabled,
                    token: tokens.get(m.id) ?? null,
                    locale: m.locale,
                    timezone: m.timezone,
                  },
                }),
              },
              now,
              c.kind,
            )
          : 'erased';
      let message: Record<string, unknown> | null = null;
      let kind: MessageKind = 'text';
      let couponCode: string | null = null;
      if (reason === null) {
        const rendered = await renderer.render({ variant: r.variant, couponCode: r.coupon_code }, d!);
        if (!rendered.ok) reason = rendered.reason;
        else {
          const mine: CampaignLinkTable[] = [];
          kind = rendered.kind;
          couponCode = rendered.couponCode;
          message = trackLinks(markPayloads(rendered.message, c.id), (url) => {
            const known = mine.find((l) => l.url === url);
            if (known) return trackedUrl(ctx, known.token);
            const link = {
              token: newLinkToken(),
              campaign_id: c.id,
              page_id: c.page_id,
              contact_id: r.contact_id,
              url,
              clicked_at: null,
              created_at: now,
            };
            mine.push(link);
            return trackedUrl(ctx, link.token);
          }) as Record<string, unknown>;
          if (typeof message.text === 'string' && [...message.text].length > MAX_TEXT_CHARS)
            reason = 'message_too_long';
          else if (messageTexts(message).some((t) => t.trim() === '')) reason = 'empty_message';
          else links.push(...mine);
        }
      }
      if (reason !== null || message === null) {
        await settleRecipient(
          trx,
          r.id,
          { status: 'skipped', reason: reason ?? 'erased', delivery_id: null, queued_at: null },
          now,
        );
        continue;
      }
      const res = await enqueueSend(trx, ctx, {
        contactId: r.contact_id,
        author: 'campaign',
        message,
        kind,
        idempotencyKey: `campaign:${c.id}:${r.contact_id}`,
        createdBy: c.created_by,
        campaignId: c.id,
        ...(marketing && { channel: 'marketing_messages' as const }),
      });
      if (res.outcome === 'refused') {
        await settleRecipient(
          trx,
          r.id,
          { status: 'skipped', reason: res.reason, delivery_id: null, queued_at: null },
          now,
        );
        continue;
      }
      await settleRecipient(
        trx,
        r.id,
        { status: 'queued', reason: null, delivery_id: res.delivery.id, queued_at: now, coupon_code: couponCode },
        now,
      );
      if (res.outcome === 'queued') queuedHere++;
    }
    await insertLinks(trx, links);
    if (now - (state.lastEvent.get(c.id) ?? 0) >= PROGRESS_EVENT_MS) {
      state.lastEvent.set(c.id, now);
      await campaignUpdated(trx, ctx, c, now);
    }
    return { settled: pending.length, queued: queuedHere };
  });
  const { settled, queued } = result;
  // Counted at commit, not at the turn's start: each delivery's `created_at` lies between the two, so a window of
  // the pace never holds more sends than it counted.
  state.pace.set(c.id, spend(pace, queued, ctx.clock.now()));
  return settled;
}
