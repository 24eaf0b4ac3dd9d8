import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { toIso } from '../../lib/time.ts';

/** The public shape of a privacy request (an allow-list: no ciphertext, no export, no input). */
export function presentRequest(r: PrivacyRequestTable) {
  return {
    id: r.id,
    type: r.type,
    contact_id: r.contact_id,
    page_id: r.page_id,
    status: r.status,
    regime: r.regime,
    source: r.source,
    review_reason: r.review_reason,
    received_at: toIso(r.received_at),
    due_at: toIso(r.due_at),
    extended: r.extended === 1,
    completed_at: toIso(r.completed_at),
    result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null,
  };
}

/** The app-scoped id of a request awaiting review, for the reviewer who may read identifiers (the read is audited). */
export function presentAppScopedId(appScopedUserId: string) {
  return { app_scoped_user_id: appScopedUserId };
}
