import type { ConsentRecordTable } from '../../db/tables/privacy.ts';
import { toIso } from '../../lib/time.ts';
import type { ConsentState } from './ledger.ts';

/** One ledger record with its provenance (the wording is the business's text, never the person's). */
export function presentConsentRecord(r: ConsentRecordTable) {
  return {
    id: r.id,
    purpose: r.purpose,
    action: r.action,
    source: r.source,
    event_id: r.event_id,
    wording: r.wording,
    wording_version: r.wording_version,
    actor_type: r.actor_type,
    actor_id: r.actor_id,
    occurred_at: toIso(r.occurred_at),
    recorded_at: toIso(r.recorded_at),
  };
}

/** A contact's consent: the state derived from the ledger, and the ledger, oldest first. */
export function presentConsent(c: { contactId: string; state: ConsentState; records: readonly ConsentRecordTable[] }) {
  return { contact_id: c.contactId, state: c.state, records: c.records.map(presentConsentRecord) };
}

export type ConsentView = ReturnType<typeof presentConsent>;
