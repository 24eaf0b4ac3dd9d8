import type { AuditEventTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';

export function presentAuditEvent(row: AuditEventTable) {
  return {
    id: row.id,
    at: toIso(row.at),
    actor: { type: row.actor_type, id: row.actor_id },
    request_id: row.request_id,
    action: row.action,
    outcome: row.outcome,
    page_id: row.page_id,
    subject: row.subject_type ? { type: row.subject_type, id: row.subject_id } : null,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}
