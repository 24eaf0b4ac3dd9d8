import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, canSeePage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { requestField } from './create-request.ts';
import { findRequest, listRequests, type RequestFilter } from './privacy.repository.ts';
import type { ContactExport } from './export-contact.ts';

function visible(actor: Actor, r: PrivacyRequestTable | undefined): r is PrivacyRequestTable {
  if (!r) return false;
  return r.page_id === null ? actor.pageScope === null : canSeePage(actor, r.page_id);
}

/** One request the actor may see; another Page's request is a 404 like a missing one. */
export async function getPrivacyRequest(ctx: AppContext, actor: Actor, id: string): Promise<PrivacyRequestTable> {
  assertCan(actor, 'privacy:manage');
  const r = await findRequest(ctx.db, id);
  if (!visible(actor, r)) throw notFound('privacy request');
  return r;
}

/** Requests newest first, scoped to the actor's Pages in SQL, optionally of one status (or all open ones) or contact. */
export async function listPrivacyRequests(
  ctx: AppContext,
  actor: Actor,
  cursor: string | null,
  limit: number,
  filter: RequestFilter = {},
) {
  assertCan(actor, 'privacy:manage');
  const rows = await listRequests(ctx.db, actor.pageScope, cursor, limit + 1, filter);
  return pageOf(rows, limit, (last) => last.id);
}

/**
 * The export of a completed access request, decrypted. Every read is audited (in its own transaction, before the
 * data leaves); after the contact's erasure the export no longer exists (404).
 */
export async function readRequestExport(ctx: AppContext, actor: Actor, id: string): Promise<ContactExport> {
  const r = await getPrivacyRequest(ctx, actor, id);
  if (r.type !== 'access') throw new AppError('not_found', 'only access requests have an export');
  if (r.status !== 'completed') throw new AppError('conflict', `the export is not ready: the request is ${r.status}`);
  if (!r.export_enc || !r.contact_id) throw notFound('export');
  const doc = JSON.parse(
    openContactField(ctx, r.contact_id, r.export_enc, requestField(r, 'export_enc')),
  ) as ContactExport;
  await ctx.db.transaction().execute((trx) =>
    appendAudit(
      trx,
      actor,
      {
        action: 'privacy.export.read',
        pageId: r.page_id,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { contact_id: r.contact_id },
      },
      ctx.clock.now(),
    ),
  );
  return doc;
}
