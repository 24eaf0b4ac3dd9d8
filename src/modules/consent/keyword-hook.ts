// Opt-out and opt-in by keyword (STOP, START and their equivalents in the contact's language), decided inside the
// webhook processing transaction: the consent change, its event, its audit row and the one confirmation commit
// with the inbound message or not at all, and a redelivered message never runs the hook again.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import { enqueueSend } from '../messaging/enqueue-send.ts';
import { sealContactField } from '../../crypto/contact-layer.ts';
import { confirmationText, KEYWORDS_WORDING_VERSION, type ConsentKeyword } from './keywords.ts';
import { consentKeywordOf } from './page-keywords.ts';
import { insertConsentEvent } from './consent.repository.ts';
import { recordConsent } from './ledger.ts';

export const CONSENT_HOOK_NAME = 'consent-keywords';

/** Registers the keyword handler; it acts only on inbound text messages that are exactly a keyword. */
export function registerConsentKeywordHook(hooks: InboundHooks): void {
  // A STOP written while another app owns the thread (standby) still withdraws consent, unconfirmed: only the thread
  // owner may answer the person.
  hooks.register(CONSENT_HOOK_NAME, handleConsentKeyword, { standby: true });
}

/**
 * Applies a keyword through the consent ledger (audited there): consent changes only if this message is newer than
 * the last choice (reordered webhooks never undo a later one); each change is recorded and confirmed exactly once.
 */
export async function handleConsentKeyword(e: InboundEventContext): Promise<void> {
  if (e.event.kind !== 'message' || e.text === undefined) return;
  const { ctx, trx, contact, event } = e;
  const keyword = await consentKeywordOf(e, e.text);
  if (keyword === null) return;
  // The keyword is this module's to answer (the confirmation below): no rule and no assistant answers it too.
  e.answered = true;
  const at = event.timestamp;
  // The ledger is the source of truth (contacts.consent_* is its cache); it orders choices by when they were made
  // and records each event once, so a late or repeated keyword changes nothing and is not confirmed.
  const { changed: applied } = await recordConsent(trx, ctx, {
    contactId: contact.id,
    pageId: contact.page_id,
    purpose: 'replies',
    action: keyword === 'opt_out' ? 'withdraw' : 'grant',
    source: 'keyword',
    eventId: event.idempotencyKey,
    wordingVersion: KEYWORDS_WORDING_VERSION,
    actor: 'contact',
    occurredAt: at,
  });
  await recordEvent(trx, ctx, e, keyword, applied, at);
  if (!applied || event.channel === 'standby') return;
  await enqueueSend(trx, ctx, {
    contactId: contact.id,
    author: 'automation',
    message: { text: confirmationText(keyword, contact.locale ?? 'en') },
    kind: 'text',
    // The source event's key: even a second run for the same message could not queue a second confirmation.
    idempotencyKey: `consent:${event.idempotencyKey}`,
    consentConfirmation: true,
  });
}

async function recordEvent(
  trx: Transaction<DB>,
  ctx: AppContext,
  e: InboundEventContext,
  keyword: ConsentKeyword,
  applied: boolean,
  at: number,
): Promise<void> {
  const id = newId('ce', ctx.clock.now());
  const data = {
    source_event_key: e.event.idempotencyKey,
    keyword,
    applied,
    wording_version: KEYWORDS_WORDING_VERSION,
    message_id: e.messageId ?? null,
  };
  await insertConsentEvent(trx, {
    id,
    page_id: e.contact.page_id,
    contact_id: e.contact.id,
    kind: 'consent',
    occurred_at: at,
    data_enc: sealContactField(ctx, e.contact.id, JSON.stringify(data), {
      table: 'contact_events',
      column: 'data_enc',
      pageId: e.contact.page_id,
      rowId: id,
    }),
    created_at: ctx.clock.now(),
  });
}
