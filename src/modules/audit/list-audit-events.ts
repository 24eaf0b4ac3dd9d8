import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import type { AuditEventTable } from '../../db/tables/foundation.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { listAudit } from './audit.repository.ts';

export interface AuditQuery {
  limit: number;
  cursor: string | null;
  action?: string | undefined;
  pageId?: string | undefined;
  subjectId?: string | undefined;
  actorId?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** Audit events the actor may read: a Page-scoped token sees only its Pages' events. */
export async function listAuditEvents(
  ctx: AppContext,
  actor: Actor,
  q: AuditQuery,
): Promise<{ rows: AuditEventTable[]; nextCursor: string | null }> {
  assertCan(actor, 'audit:read');
  const rows = await listAudit(ctx.db, {
    pageScope: actor.pageScope,
    limit: q.limit + 1,
    cursor: q.cursor,
    ...(q.action ? { action: q.action } : {}),
    ...(q.pageId ? { pageId: q.pageId } : {}),
    ...(q.subjectId ? { subjectId: q.subjectId } : {}),
    ...(q.actorId ? { actorId: q.actorId } : {}),
    ...(q.since !== undefined && !Number.isNaN(q.since) ? { since: q.since } : {}),
    ...(q.until !== undefined && !Number.isNaN(q.until) ? { until: q.until } : {}),
  });
  return pageOf(rows, q.limit, (last) => last.id);
}
