import type { AppContext } from '../../kernel/context.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { AppError } from '../../errors.ts';
import type { Executor } from '../../db/types.ts';
import { checkPatch, writeAttributes } from '../attributes/contact-audience.ts';
import { listDefinitionRows } from '../attributes/attributes.repository.ts';

export type AttributePatch = Record<string, string | number | boolean | string[] | null>;

const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Checks a rectification patch's shape: plain keys, scalar or list values, `null` to remove an attribute. */
export function validatePatch(raw: unknown): AttributePatch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new AppError(
      'validation_failed',
      'attributes must be a non-empty object of attribute names to new values (null removes one)',
    );
  }
  for (const [k, v] of Object.entries(raw)) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k))
      throw new AppError('validation_failed', 'attribute names are 1-64 letters, digits, _ . or -');
    if (!scalar(v) && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
      throw new AppError('validation_failed', 'attribute values are strings, numbers, booleans, lists or null');
  }
  return raw as AttributePatch;
}

/**
 * Checks the patch against the contact's Page's attribute definitions when the request is made, so that a key the
 * Page does not define or a value of the wrong type is a 400 naming it rather than a request that fails later.
 */
export async function checkRectification(db: Executor, pageId: string, patch: AttributePatch): Promise<void> {
  checkPatch(await listDefinitionRows(db, [pageId]), patch);
}

/** Applies the patch to the contact's attribute values (contact_attributes); returns the keys changed (never values). */
export async function rectifyAttributes(
  ctx: AppContext,
  db: Executor,
  contactId: string,
  patch: AttributePatch,
): Promise<string[]> {
  const contact = await findContactById(db, contactId, null);
  if (!contact) throw new AppError('not_found', 'contact not found');
  return writeAttributes(ctx, db, contact, patch, null, ctx.clock.now());
}
