import type { Executor } from '../../db/types.ts';
import type { AuditEventTable } from '../../db/tables/foundation.ts';
import type { Actor } from '../access/actor.ts';
import { newId } from '../../lib/ids.ts';

export interface AuditInput {
  action: string;
  outcome?: 'success' | 'failure';
  pageId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  /** Ids, counts and reasons only: never personal data. */
  details?: Record<string, unknown> | null;
}

/**
 * Appends one audit row. Call it with the transaction that performs the mutation, so the change and its record
 * commit together or not at all.
 */
export async function appendAudit(
  db: Executor,
  actor: Actor | { type: 'anonymous' | 'meta'; id: string | null; requestId: string | null },
  input: AuditInput,
  now: number,
): Promise<string> {
  const id = newId('ae', now);
  const row: AuditEventTable = {
    id,
    at: now,
    actor_type: actor.type,
    actor_id: actor.id,
    request_id: actor.requestId,
    action: input.action,
    outcome: input.outcome ?? 'success',
    page_id: input.pageId ?? null,
    subject_type: input.subjectType ?? null,
    subject_id: input.subjectId ?? null,
    details: input.details ? JSON.stringify(input.details) : null,
  };
  await db.insertInto('audit_events').values(row).execute();
  return id;
}

export interface AuditFilter {
  pageScope: readonly string[] | null;
  action?: string;
  pageId?: string;
  subjectId?: string;
  actorId?: string;
  since?: number;
  until?: number;
  cursor?: string | null;
  limit: number;
}

/** Newest first; a Page-scoped reader sees only events of its Pages. */
export async function listAudit(db: Executor, f: AuditFilter): Promise<AuditEventTable[]> {
  let q = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.pageScope !== null) q = q.where('page_id', 'in', f.pageScope.length ? [...f.pageScope] : ['\u0000']);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.pageId) q = q.where('page_id', '=', f.pageId);
  if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.since !== undefined) q = q.where('at', '>=', f.since);
  if (f.until !== undefined) q = q.where('at', '<', f.until);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  return q.execute();
}
