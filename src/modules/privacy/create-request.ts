import type { AppContext } from '../../kernel/context.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, canSeePage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Executor } from '../../db/types.ts';
import { computeDueAt, type Regime } from './deadlines.ts';
import { checkRectification, validatePatch } from './rectify-contact.ts';
import { sealContactField } from '../../crypto/contact-layer.ts';
import { insertRequest } from './privacy.repository.ts';

export type RequestType = PrivacyRequestTable['type'];
export type RequestSource = PrivacyRequestTable['source'];

export interface CreateRequestInput {
  type: RequestType;
  contact_id: string;
  regime?: Regime;
  /** Rectification only: attribute names to new values, null to remove. */
  attributes?: unknown;
}

const TYPES: readonly RequestType[] = ['access', 'erasure', 'rectification'];

export function defaultRegime(ctx: AppContext): Regime {
  return ctx.config.privacy?.regime ?? 'gdpr';
}

/**
 * Opens a data subject request for a contact the actor may see (another Page's contact is a 404, like a missing
 * one); its deadline follows the regime. Audited in the same transaction. The executor runs it in the background.
 */
export async function createPrivacyRequest(
  ctx: AppContext,
  actor: Actor,
  input: CreateRequestInput,
  source: RequestSource = 'api',
): Promise<PrivacyRequestTable> {
  assertCan(actor, 'privacy:manage');
  if (!TYPES.includes(input.type))
    throw new AppError('validation_failed', 'type must be access, erasure or rectification');
  if (input.regime !== undefined && input.regime !== 'gdpr' && input.regime !== 'ccpa')
    throw new AppError('validation_failed', 'regime must be gdpr or ccpa');
  const patch = input.type === 'rectification' ? validatePatch(input.attributes) : null;
  if (patch === null && input.attributes !== undefined)
    throw new AppError('validation_failed', 'attributes belong to rectification requests only');
  return ctx.db.transaction().execute(async (trx) => {
    const contact =
      typeof input.contact_id === 'string' ? await findContactById(trx, input.contact_id, null) : undefined;
    if (!contact || contact.status === 'erased' || !canSeePage(actor, contact.page_id)) throw notFound('contact');
    if (patch) await checkRectification(trx, contact.page_id, patch);
    const row = newRequestRow(ctx, {
      type: input.type,
      pageId: contact.page_id,
      contactId: contact.id,
      regime: input.regime ?? defaultRegime(ctx),
      source,
      actor,
    });
    if (patch) row.input_enc = sealContactField(ctx, contact.id, JSON.stringify(patch), requestField(row, 'input_enc'));
    await insertRequest(trx, row);
    await auditCreated(trx, actor, row, ctx.clock.now());
    return row;
  });
}

/** A request row as it starts: pending, due by the regime's first deadline. */
export function newRequestRow(
  ctx: AppContext,
  o: {
    type: RequestType;
    pageId: string | null;
    contactId: string | null;
    regime: Regime;
    source: RequestSource;
    actor: Actor | { type: string; id: string | null; requestId: string | null };
    callbackId?: string;
    reviewReason?: string;
  },
): PrivacyRequestTable {
  const now = ctx.clock.now();
  return {
    id: newId('pr', now),
    page_id: o.pageId,
    contact_id: o.contactId,
    type: o.type,
    regime: o.regime,
    status: 'pending',
    source: o.source,
    review_reason: o.reviewReason ?? null,
    callback_id: o.callbackId ?? null,
    received_at: now,
    due_at: computeDueAt(o.regime, now, false),
    extended: 0,
    extension_notice_at: null,
    warned_at: null,
    started_at: null,
    completed_at: null,
    attempts: 0,
    next_attempt_at: now,
    error: null,
    actor_type: o.actor.type,
    actor_id: o.actor.id,
    request_id: o.actor.requestId,
    input_enc: null,
    export_enc: null,
    result: null,
    updated_at: now,
  };
}

export async function auditCreated(
  trx: Executor,
  actor: Parameters<typeof appendAudit>[1],
  row: PrivacyRequestTable,
  now: number,
): Promise<void> {
  await appendAudit(
    trx,
    actor,
    {
      action: 'privacy.request.create',
      pageId: row.page_id,
      subjectType: 'privacy_request',
      subjectId: row.id,
      details: {
        type: row.type,
        regime: row.regime,
        source: row.source,
        contact_id: row.contact_id,
        due_at: row.due_at,
        review_reason: row.review_reason,
      },
    },
    now,
  );
}

/** Where a request's encrypted column lives, for the ciphertext's associated data. */
export function requestField(row: Pick<PrivacyRequestTable, 'id' | 'page_id'>, column: 'input_enc' | 'export_enc') {
  return { table: 'privacy_requests', column, pageId: row.page_id, rowId: row.id };
}
