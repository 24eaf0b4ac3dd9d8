import type { ContactTable, WebhookEventTable } from '../../db/tables/conversations.ts';
import { newId } from '../../lib/ids.ts';
import { timeOrderedKey } from '../../lib/time-ordered-key.ts';
import type { WebhookEvent } from '../../platform/index.ts';
import { campaignPayloadPressed } from '../campaigns/track-click.ts';
import { resolveContact } from '../contacts/resolve-contact.ts';
import type { EffectContext } from './effect-context.ts';
import {
  applyAccountLinking,
  applyFeedback,
  applyPostback,
  applyReaction,
  applyReferral,
  applyThreadRequest,
} from './effects-actions.ts';
import { applyEcho, applyMessage, applyMessageEdit } from './effects-messages.ts';
import { applyOptin, recordCheckboxOptin } from './effects-optins.ts';
import { applyHandover, applyMarketingMessage, applyPolicyEnforcement, applyReceipt } from './effects-signals.ts';
import { insertEventIfNew } from './webhook.repository.ts';

export type EventResult = 'applied' | 'duplicate' | 'kept_raw';

const LABEL = /^[a-z0-9_]{1,40}$/;
const label = (s: string) => (LABEL.test(s) ? s : 'other');

/** Why an event is kept raw instead of applied, as a metric label; null when it is applied. */
function rawReason(
  ev: WebhookEvent,
  object: string,
  registered: ReadonlySet<string>,
): { status: WebhookEventTable['status']; label: string } | null {
  if (object !== 'page') return { status: 'unhandled', label: `object_${label(object)}` };
  if (ev.kind === 'unknown') return { status: 'unhandled', label: label(ev.key ?? 'unknown') };
  if (ev.kind === 'change') return { status: 'unhandled', label: `change_${label(ev.field)}` };
  if (!registered.has(ev.pageId)) return { status: 'unregistered_page', label: 'unregistered_page' };
  if (
    ev.kind !== 'policy_enforcement' &&
    ev.kind !== 'app_roles' &&
    ev.psid === undefined &&
    !(ev.kind === 'optin' && ev.userRef !== undefined)
  ) {
    return { status: 'unhandled', label: `${ev.kind}_without_psid` };
  }
  return null;
}

/**
 * Records one event in the idempotency ledger and, only the first time it is seen, applies its effects inside the
 * caller's transaction. Events that are not applied (other objects, unknown kinds, unregistered Pages) are stored
 * raw, encrypted, and counted.
 */
export async function applyEvent(
  e: EffectContext,
  ev: WebhookEvent,
  object: string,
  registered: ReadonlySet<string>,
  receivedAt: number,
): Promise<EventResult> {
  const pageId = ev.pageId ?? '';
  const raw = rawReason(ev, object, registered);
  const psid = ev.kind === 'unknown' || ev.kind === 'change' ? undefined : ev.psid;
  const contact: ContactTable | null =
    raw === null && psid !== undefined
      ? await resolveContact(e.ctx, e.trx, pageId, psid, ev.timestamp ?? receivedAt, e.keys)
      : null;
  const id = newId('we', e.now);
  const row: WebhookEventTable = {
    id,
    page_id: pageId,
    // Led by the event's own time (the same in every redelivery): the ledger's unique index grows at its end.
    event_key: timeOrderedKey(ev.timestamp, e.ctx.keyring.blindIndex(ev.idempotencyKey, 'event-key')),
    kind: ev.kind,
    status: raw?.status ?? 'processed',
    contact_id: contact?.id ?? null,
    occurred_at: ev.timestamp ?? receivedAt,
    post_id: e.postId,
    raw_enc:
      raw === null
        ? null
        : e.ctx.keyring.encrypt(JSON.stringify(ev.kind === 'unknown' ? ev.raw : ev), {
            table: 'webhook_events',
            column: 'raw_enc',
            pageId: pageId || null,
            rowId: id,
          }),
    created_at: e.now,
  };
  if (!(await insertEventIfNew(e.trx, row))) return 'duplicate';
  if (raw !== null) {
    e.ctx.metrics.webhookUnhandled.inc({ kind: raw.label });
    return 'kept_raw';
  }
  await dispatch(e, ev, contact);
  e.ctx.metrics.eventsProcessed.inc({ kind: ev.kind });
  return 'applied';
}

async function dispatch(e: EffectContext, ev: WebhookEvent, contact: ContactTable | null): Promise<void> {
  if (ev.kind === 'policy_enforcement') return applyPolicyEnforcement(e, ev);
  if (ev.kind === 'app_roles') return;
  if (ev.kind === 'optin' && contact === null && ev.userRef !== undefined)
    return recordCheckboxOptin(e, ev.pageId, ev.userRef, ev.timestamp);
  if (contact === null) return;
  switch (ev.kind) {
    case 'message':
      if (ev.quickReplyPayload === undefined) return applyMessage(e, contact, ev);
      return applyMessage(e, contact, {
        ...ev,
        quickReplyPayload: await campaignPayloadPressed(e.trx, contact.id, ev.quickReplyPayload, e.now),
      });
    case 'echo':
      return applyEcho(e, contact, ev);
    case 'message_edit':
      return applyMessageEdit(e, contact, ev);
    case 'postback':
      if (ev.payload === undefined) return applyPostback(e, contact, ev);
      return applyPostback(e, contact, {
        ...ev,
        payload: await campaignPayloadPressed(e.trx, contact.id, ev.payload, e.now),
      });
    case 'referral':
      return applyReferral(e, contact, ev);
    case 'reaction':
      return applyReaction(e, contact, ev);
    case 'optin':
      return applyOptin(e, contact, ev);
    case 'read':
    case 'delivery':
      return applyReceipt(e, contact, ev);
    case 'pass_thread_control':
    case 'take_thread_control':
      return applyHandover(e, contact, ev);
    case 'request_thread_control':
      return applyThreadRequest(e, contact, ev);
    case 'account_linking':
      return applyAccountLinking(e, contact, ev);
    case 'feedback':
      return applyFeedback(e, contact, ev);
    case 'marketing_message':
      return applyMarketingMessage(e, contact, ev);
  }
}
