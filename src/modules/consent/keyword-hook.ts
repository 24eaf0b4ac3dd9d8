// Opt-out and opt-in by keyword (STOP, START and their equivalents in the contact's language), decided inside the
// webhook processing transaction: the consent change, its event, its audit row and the one confirmation commit
// with the inbound message or not at all, and a redelivered message never runs the hook again.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../app/context.ts';
import type { DB } from '../../db/types.ts';
import { newId } from '../../lib/ids.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { InboundEventContext, InboundHooks } from '../ingest/hooks.ts';
import { enqueueSend } from '../messaging/enqueue-send.ts';
import { confirmationText, detectConsentKeyword, KEYWORDS_WORDING_VERSION, type ConsentKeyword } from './keywords.ts';
import { insertConsentEvent, setRepliesConsent } from './consent.repository.ts';

export const CONSENT_HOOK_NAME = 'consent-keywords';
const actor = systemActor(CONSENT_HOOK_NAME);

/** Registers the keyword handler; it acts only on inbound text messages that are exactly a keyword. */
export function registerConsentKeywordHook(hooks: InboundHooks): void {
  hooks.register(CONSENT_HOOK_NAME, handleConsentKeyword);
}

/**
 * Applies a keyword: consent changes only if this message is newer than the last change (reordered webhooks never
 * undo a later choice); each applied change is recorded, audited and confirmed exactly once.
 */
export async function handleConsentKeyword(e: InboundEventContext): Promise<void> {
  if (e.event.kind !== 'message' || e.text === undefined) return;
  const keyword = detectConsentKeyword(e.text, e.contact.locale ? [e.contact.locale] : []);
  if (keyword === null) return;
  const { ctx, trx, contact, event } = e;
  const at = event.timestamp;
  const applied = await setRepliesConsent(trx, contact.id, keyword === 'opt_out' ? 'withdrawn' : 'granted', at, ctx.clock.now());
  await recordEvent(trx, ctx, e, keyword, applied, at);
  await appendAudit(trx, actor, {
    action: keyword === 'opt_out' ? 'contact.consent_withdrawn' : 'contact.consent_granted',
    pageId: contact.page_id,
    subjectType: 'contact',
    subjectId: contact.id,
    details: { source: 'keyword', applied, wording_version: KEYWORDS_WORDING_VERSION },
  }, ctx.clock.now());
  if (!applied) return;
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

async function recordEvent(trx: Transaction<DB>, ctx: AppContext, e: InboundEventContext, keyword: ConsentKeyword, applied: boolean, at: number): Promise<void> {
  const id = newId('ce', ctx.clock.now());
  const data = { source_event_key: e.event.idempotencyKey, keyword, applied, wording_version: KEYWORDS_WORDING_VERSION, message_id: e.messageId ?? null };
  await insertConsentEvent(trx, {
    id,
    page_id: e.contact.page_id,
    contact_id: e.contact.id,
    kind: 'consent',
    occurred_at: at,
    data_enc: ctx.keyring.encrypt(JSON.stringify(data), { table: 'contact_events', column: 'data_enc', pageId: e.contact.page_id, rowId: id }),
    created_at: ctx.clock.now(),
  });
}
