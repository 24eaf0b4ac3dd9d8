import type { AppContext } from '../../kernel/context.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findPage } from '../pages/pages.repository.ts';
import { checkText, MAX_EXTERNAL_ID, normaliseProof } from './orders.policy.ts';
import { presentStatusCheck, type StatusCheckView } from './order.presenter.ts';
import { orderForStatusCheck } from './orders.repository.ts';
import { BIDX, MAX_PROOF } from './store-order.ts';

/**
 * Self-service "where is my order": the order number plus the buyer's email or last name. The answer has the same
 * members whether or not an order matched, and both paths do the same work (the blind index is computed, one query
 * runs by the unique index), so neither its content nor its timing tells a missing order from a wrong proof. For API
 * tokens and agents (anyone who may read the Page's contacts), e.g. an automation answering in Messenger; a read,
 * so not audited.
 */
export async function checkOrderStatus(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { external_id: string; email?: string; last_name?: string },
): Promise<StatusCheckView> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (input.email === undefined && input.last_name === undefined)
    throw new AppError('validation_failed', 'give email or last_name with the order number', { field: 'email' });
  const externalId = checkText(input.external_id, 'external_id', MAX_EXTERNAL_ID);
  const bidx = (v: string | undefined, field: string, purpose: string) =>
    v === undefined ? null : ctx.keyring.blindIndex(normaliseProof(checkText(v, field, MAX_PROOF)), purpose);
  const emailBidx = bidx(input.email, 'email', BIDX.email);
  const lastNameBidx = bidx(input.last_name, 'last_name', BIDX.lastName);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return presentStatusCheck(await orderForStatusCheck(ctx.db, { pageId, externalId, emailBidx, lastNameBidx }));
}
