import type { AuthFailureTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';

/** One count of failed authentications: per address, minute and reason (the address is the operator's to block). */
export function presentAuthFailure(row: AuthFailureTable) {
  return {
    id: row.id,
    kind: row.kind,
    source: row.source,
    reason: row.reason,
    minute: toIso(row.minute),
    failures: row.failures,
    last_at: toIso(row.last_at),
  };
}

export type AuthFailureView = ReturnType<typeof presentAuthFailure>;
