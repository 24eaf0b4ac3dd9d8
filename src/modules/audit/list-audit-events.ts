import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import type { AuditEventTable } from '../../db/tables/foundation.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { listAudit } from './audit.repository.ts';
import { findUsersByIds } from '../users/users.repository.ts';
import { openEmail } from '../users/user-email.ts';

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

/**
 * The emails of the operators among the events' actors, for a readable log: the audit reader (who may manage the
 * team) sees whom each row names. Each operator is looked up once; tokens and the system have no email.
 */
export async function actorEmails(ctx: AppContext, rows: readonly AuditEventTable[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.filter((r) => r.actor_type === 'user' && r.actor_id).map((r) => r.actor_id!))];
  if (ids.length === 0) return new Map();
  const users = await findUsersByIds(ctx.db, ids);
  return new Map(
    users.flatMap((u) => {
      const email = openEmail(ctx, u);
      return email ? [[u.id, email] as const] : [];
    }),
  );
}
