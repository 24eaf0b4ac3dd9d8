import type { AuditEventTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';

/** An audit row as the API shows it; `emails` names the operators among the actors (never a contact). */
export function presentAuditEvent(row: AuditEventTable, emails: ReadonlyMap<string, string> = new Map()) {
  const email = row.actor_id ? emails.get(row.actor_id) : undefined;
  return {
    id: row.id,
    at: toIso(row.at),
    actor: { type: row.actor_type, id: row.actor_id, ...(email && { email }) },
    request_id: row.request_id,
    action: row.action,
    outcome: row.outcome,
    page_id: row.page_id,
    subject: row.subject_type ? { type: row.subject_type, id: row.subject_id } : null,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}
