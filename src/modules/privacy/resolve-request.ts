import type { AppContext } from '../../kernel/context.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { auditCreated, newRequestRow } from './create-request.ts';
import { getPrivacyRequest } from './get-request.ts';
import { findCallback, insertRequest, updateCallback, updateRequest } from './privacy.repository.ts';

async function reviewRequest(ctx: AppContext, actor: Actor, id: string): Promise<PrivacyRequestTable> {
  assertCan(actor, 'identifiers:read');
  const r = await getPrivacyRequest(ctx, actor, id);
  if (r.review_reason === null || r.status === 'completed')
    throw new AppError('conflict', 'this request is not waiting for review');
  return r;
}

/**
 * The app-scoped id Meta sent, so an operator can find the person (e.g. in Business Manager). Needs the
 * identifiers permission; every reveal is audited.
 */
export async function revealAppScopedId(ctx: AppContext, actor: Actor, id: string): Promise<string> {
  const r = await reviewRequest(ctx, actor, id);
  const cb = r.callback_id ? await findCallback(ctx.db, r.callback_id) : undefined;
  if (!cb?.user_enc) throw notFound('app-scoped id');
  const asid = ctx.keyring.decrypt(cb.user_enc, {
    table: 'privacy_callbacks',
    column: 'user_enc',
    pageId: null,
    rowId: cb.id,
  });
  await ctx.db
    .transaction()
    .execute((trx) =>
      appendAudit(
        trx,
        actor,
        { action: 'privacy.identifier.read', subjectType: 'privacy_request', subjectId: r.id },
        ctx.clock.now(),
      ),
    );
  return asid;
}

/**
 * Settles a request waiting for review with the contacts the operator found: the request takes the first, a sibling
 * erasure opens for each other one, and with none the request completes ("nothing held"). Audited.
 */
export async function resolvePrivacyRequest(
  ctx: AppContext,
  actor: Actor,
  id: string,
  contactIds: readonly string[] | undefined,
): Promise<PrivacyRequestTable> {
  const r = await reviewRequest(ctx, actor, id);
  if (contactIds === undefined)
    throw new AppError('validation_failed', 'contact_ids must list the contacts found (an empty list: none are held)');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const contacts = [];
    for (const cid of new Set(contactIds)) {
      const c = await findContactById(trx, cid, null);
      if (!c || c.status === 'erased') throw notFound('contact');
      contacts.push(c);
    }
    const [first, ...rest] = contacts;
    const set: Partial<PrivacyRequestTable> = first
      ? { contact_id: first.id, page_id: first.page_id, review_reason: null, next_attempt_at: now, updated_at: now }
      : {
          status: 'completed',
          completed_at: now,
          review_reason: null,
          result: JSON.stringify({ contact_found: false }),
          updated_at: now,
        };
    await updateRequest(trx, r.id, set);
    for (const c of rest) {
      const row = newRequestRow(ctx, {
        type: r.type,
        pageId: c.page_id,
        contactId: c.id,
        regime: r.regime,
        source: r.source,
        actor,
        callbackId: r.callback_id ?? undefined,
      });
      // A sibling answers the same demand, so it keeps the original's deadline.
      row.received_at = r.received_at;
      row.due_at = r.due_at;
      await insertRequest(trx, row);
      await auditCreated(trx, actor, row, now);
    }
    if (r.callback_id)
      await updateCallback(trx, r.callback_id, {
        status: 'in_progress',
        contacts_found: contacts.length,
        updated_at: now,
      });
    await appendAudit(
      trx,
      actor,
      {
        action: 'privacy.request.resolve',
        pageId: first?.page_id ?? null,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { contacts: contacts.map((c) => c.id) },
      },
      now,
    );
    return { ...r, ...set };
  });
}
