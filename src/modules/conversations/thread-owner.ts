// Keeps the thread owner of a contact's conversation (contacts.thread_owner_app_id, see thread-owner.policy.ts) and
// tells the inbox when it changes. The owner follows the newest handover by event time, whatever order the webhooks
// and our own calls arrive in.
import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';
import { sealContactField } from '../../crypto/contact-layer.ts';
import { newId } from '../../lib/ids.ts';
import { findContactById, updateContact } from '../contacts/contacts.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import { findConversationOfContact } from './conversations.repository.ts';
import { insertContactEvent, laterHandoverExists } from './messages.repository.ts';
import { UNKNOWN_APP, type HandoverKind } from './thread-owner.policy.ts';

export interface ThreadOwnerChange {
  kind: HandoverKind;
  /** When the handover happened (the webhook's timestamp, or our call's time). */
  at: number;
  /** The owner after it: another app's id, or null when pagescope has the thread. */
  ownerAppId: string | null;
  /** What the contact's activity keeps of it (app ids and metadata; sealed under the contact's key). */
  data: Record<string, unknown>;
}

/**
 * Records a handover in the contact's activity and, unless newer evidence is already known (a later handover, or a
 * later message on either channel), makes its owner the thread's; the inbox hears of a change.
 */
export async function recordThreadOwner(
  trx: Executor,
  ctx: AppContext,
  contact: ContactTable,
  change: ThreadOwnerChange,
): Promise<void> {
  const now = ctx.clock.now();
  const id = newId('ce', now);
  await insertContactEvent(trx, {
    id,
    page_id: contact.page_id,
    contact_id: contact.id,
    kind: change.kind,
    occurred_at: change.at,
    data_enc: sealContactField(ctx, contact.id, JSON.stringify(change.data), {
      table: 'contact_events',
      column: 'data_enc',
      pageId: contact.page_id,
      rowId: id,
    }),
    created_at: now,
  });
  if (await laterHandoverExists(trx, contact.id, change.at, id)) return;
  await setThreadOwner(trx, ctx, contact.id, change.at, change.ownerAppId);
}

/**
 * What the channel of the person's message says (only when it contradicts what we keep, so a message costs nothing
 * more in the usual case): on `messaging` we own the thread or it is idle (another app's control ended: it released
 * the thread, or 24 h passed); on `standby` another app owns it, one we may not know of (it took the thread while it
 * was idle, which Meta tells nobody).
 */
export async function noteMessageChannel(
  trx: Executor,
  ctx: AppContext,
  contact: ContactTable,
  channel: 'messaging' | 'standby' | 'changes',
  at: number,
): Promise<boolean> {
  const othersOwn = contact.thread_owner_app_id !== null;
  if (channel === 'messaging' && othersOwn) return setThreadOwner(trx, ctx, contact.id, at, null);
  if (channel === 'standby' && !othersOwn) return setThreadOwner(trx, ctx, contact.id, at, UNKNOWN_APP);
  return false;
}

/**
 * Sets the owner as of `at` unless the owner we keep rests on newer evidence; announces a change to the inbox.
 * Returns whether it wrote to the contact.
 */
async function setThreadOwner(
  trx: Executor,
  ctx: AppContext,
  contactId: string,
  at: number,
  ownerAppId: string | null,
): Promise<boolean> {
  const now = ctx.clock.now();
  const current = await findContactById(trx, contactId, null);
  if (!current) return false;
  if (current.thread_owner_at !== null && Number(current.thread_owner_at) > at) return false;
  await updateContact(trx, contactId, {
    thread_owner_app_id: ownerAppId,
    thread_owner_at: at,
    updated_at: now,
    // A request for the thread made before it changed hands is answered by the change (or moot).
    ...(current.thread_request_at !== null &&
      Number(current.thread_request_at) <= at && { thread_request_app_id: null, thread_request_at: null }),
  });
  if (current.thread_owner_app_id === ownerAppId) return true;
  await announceConversationOf(trx, ctx, contactId, now);
  return true;
}

/**
 * Another app asked for the thread (Meta tells the owner only, so pagescope owns it): kept on the contact, the newest
 * request only and none older than the thread's last change of hands, and announced to the inbox.
 */
export async function noteThreadRequest(
  trx: Executor,
  ctx: AppContext,
  contact: ContactTable,
  appId: string,
  at: number,
): Promise<void> {
  if (contact.thread_owner_at !== null && Number(contact.thread_owner_at) > at) return;
  if (contact.thread_request_at !== null && Number(contact.thread_request_at) >= at) return;
  await setThreadRequest(trx, ctx, contact.id, { appId, at });
}

/** Sets or clears (an operator declined it) the request for the thread, and announces the change to the inbox. */
export async function setThreadRequest(
  trx: Executor,
  ctx: AppContext,
  contactId: string,
  request: { appId: string; at: number } | null,
): Promise<void> {
  const now = ctx.clock.now();
  await updateContact(trx, contactId, {
    thread_request_app_id: request?.appId ?? null,
    thread_request_at: request?.at ?? null,
    updated_at: now,
  });
  await announceConversationOf(trx, ctx, contactId, now);
}

/** Tells the inbox that the contact's conversation changed (`conversation.updated`), when they have one. */
async function announceConversationOf(trx: Executor, ctx: AppContext, contactId: string, now: number): Promise<void> {
  const conversation = await findConversationOfContact(trx, contactId);
  if (!conversation) return;
  await appendEvents(trx, ctx.database.dialect, [
    {
      page_id: conversation.page_id,
      type: 'conversation.updated',
      conversation_id: conversation.id,
      contact_id: contactId,
      message_id: null,
      delivery_id: null,
      at: now,
    },
  ]);
}
