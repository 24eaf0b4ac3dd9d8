// The consent ledger: every grant and withdrawal with its provenance. The current state is derived from it;
// contacts.consent_* is only a cache of that derivation, rewritten in the same transaction as each record.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB, Executor } from '../../db/types.ts';
import type { ConsentRecordTable } from '../../db/tables/privacy.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, canSeePage, systemActor, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { leaveSequencesOnOptOut } from '../sequences/subscriptions.ts';
import {
  consentHistory,
  findContactById,
  findSameEvent,
  insertConsentRecord,
  latestByPurpose,
  setConsentCache,
} from './ledger.repository.ts';

export type ConsentPurpose = 'replies' | 'marketing' | `topic:${string}`;
export type ConsentAction = 'grant' | 'withdraw';

export interface ConsentInput {
  contactId: string;
  pageId: string;
  purpose: ConsentPurpose;
  action: ConsentAction;
  /** What carried the choice: `keyword`, `optin`, `marketing_optin`, `operator`, `api`, `import`, … */
  source: string;
  /** The webhook event, message or request id that carried it; with it, a redelivery records nothing twice. */
  eventId?: string | null;
  /** The business's wording the person saw when choosing, and its version. */
  wording?: string | null;
  wordingVersion?: string | null;
  /** Who chose: `'contact'` when the person did (a keyword, an opt-in), else the operator or system. */
  actor: Actor | 'contact';
  /** When the person chose (the event's time), which orders the ledger. */
  occurredAt: number;
}

export interface ConsentState {
  replies: 'granted' | 'withdrawn';
  marketing: 'none' | 'granted' | 'withdrawn';
  /** Per subscription topic; absent topics were never asked. */
  topics: Record<string, 'granted' | 'withdrawn'>;
}

const PURPOSE = /^(replies|marketing|topic:[A-Za-z0-9_.:-]{1,100})$/;

/**
 * Appends one grant or withdrawal and updates the contact's consent cache in the same transaction, plus an audit
 * row. Idempotent per (contact, purpose, action, event). Returns whether the derived state changed.
 */
export async function recordConsent(
  trx: Transaction<DB>,
  ctx: AppContext,
  input: ConsentInput,
): Promise<{ recordId: string; changed: boolean; state: ConsentState }> {
  if (!PURPOSE.test(input.purpose))
    throw new AppError('validation_failed', 'purpose must be replies, marketing or topic:<name>');
  if (input.action !== 'grant' && input.action !== 'withdraw')
    throw new AppError('validation_failed', 'action must be grant or withdraw');
  const before = await deriveConsent(trx, input.contactId);
  if (input.eventId) {
    const seen = await findSameEvent(trx, input.contactId, input.purpose, input.action, input.eventId);
    if (seen) return { recordId: seen.id, changed: false, state: before };
  }
  const now = ctx.clock.now();
  const byContact = input.actor === 'contact';
  const auditActor = byContact ? systemActor('consent', null) : (input.actor as Actor);
  const row: ConsentRecordTable = {
    id: newId('cr', now),
    page_id: input.pageId,
    contact_id: input.contactId,
    purpose: input.purpose,
    action: input.action,
    source: input.source,
    event_id: input.eventId ?? null,
    wording: input.wording ?? null,
    wording_version: input.wordingVersion ?? null,
    actor_type: byContact ? 'contact' : auditActor.type,
    actor_id: byContact ? input.contactId : auditActor.id,
    request_id: auditActor.requestId,
    occurred_at: input.occurredAt,
    recorded_at: now,
  };
  await insertConsentRecord(trx, row);
  const state = await deriveConsent(trx, input.contactId);
  const changed = JSON.stringify(state) !== JSON.stringify(before);
  await refreshCache(trx, input.contactId, now);
  // An opt-out (of replies or of marketing) ends the person's follow-up sequences with it.
  if (
    (state.replies === 'withdrawn' && before.replies !== 'withdrawn') ||
    (state.marketing === 'withdrawn' && before.marketing !== 'withdrawn')
  )
    await leaveSequencesOnOptOut(ctx, trx, input.contactId);
  await appendAudit(
    trx,
    auditActor,
    {
      action: `consent.${input.action}`,
      pageId: input.pageId,
      subjectType: 'contact',
      subjectId: input.contactId,
      details: {
        purpose: input.purpose,
        source: input.source,
        record_id: row.id,
        event_id: row.event_id,
        wording_version: row.wording_version,
        by: row.actor_type,
        changed,
      },
    },
    now,
  );
  return { recordId: row.id, changed, state };
}

/** The current consent, derived from the ledger alone: replies are granted and marketing unasked until recorded otherwise. */
export async function deriveConsent(db: Executor, contactId: string): Promise<ConsentState> {
  const state: ConsentState = { replies: 'granted', marketing: 'none', topics: {} };
  for (const r of await latestByPurpose(db, contactId)) {
    const value = r.action === 'grant' ? 'granted' : 'withdrawn';
    if (r.purpose === 'replies') state.replies = value;
    else if (r.purpose === 'marketing') state.marketing = value;
    else state.topics[r.purpose.slice('topic:'.length)] = value;
  }
  return state;
}

/** What the send policy needs (`SendPolicyInput.consent`), read from the ledger. */
export async function consentForPolicy(
  db: Executor,
  contactId: string,
): Promise<{ replies: ConsentState['replies']; marketing: ConsentState['marketing'] }> {
  const { replies, marketing } = await deriveConsent(db, contactId);
  return { replies, marketing };
}

/** Whether a campaign on `topic` may go to this contact: marketing granted and the topic not withdrawn. */
export function allowsTopic(state: ConsentState, topic: string): boolean {
  return state.marketing === 'granted' && state.topics[topic] !== 'withdrawn';
}

/** Rewrites contacts.consent_* from the ledger (also repairs a cache that drifted). */
async function refreshCache(db: Executor, contactId: string, now: number): Promise<void> {
  const latest = await latestByPurpose(db, contactId);
  const replies = latest.find((r) => r.purpose === 'replies');
  const marketing = latest.find((r) => r.purpose === 'marketing');
  await setConsentCache(db, contactId, {
    ...(replies && {
      consent_replies: replies.action === 'grant' ? 'granted' : 'withdrawn',
      consent_replies_at: replies.occurred_at,
    }),
    ...(marketing && {
      consent_marketing: marketing.action === 'grant' ? 'granted' : 'withdrawn',
      consent_marketing_at: marketing.occurred_at,
    }),
    updated_at: now,
  });
}

/** A contact's derived consent and its ledger (raw records; consent.presenter.ts shows them), for a reader who may see the contact (else 404). */
export async function readConsent(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
): Promise<{ contactId: string; state: ConsentState; records: ConsentRecordTable[] }> {
  assertCan(actor, 'contacts:read');
  const contact = await findContactById(ctx.db, contactId);
  if (!contact || !canSeePage(actor, contact.page_id)) throw notFound('contact');
  const records = await consentHistory(ctx.db, contact.id);
  return { contactId: contact.id, state: await deriveConsent(ctx.db, contact.id), records };
}
