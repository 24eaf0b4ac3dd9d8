import type { AppContext } from '../../kernel/context.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { AppError } from '../../errors.ts';
import type { Executor } from '../../db/types.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import { updateContactAttributes } from './privacy.repository.ts';

export type AttributePatch = Record<string, string | number | boolean | null>;

/** Checks a rectification patch: plain keys, scalar values, `null` to remove an attribute. */
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
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
      throw new AppError('validation_failed', 'attribute values are strings, numbers, booleans or null');
  }
  return raw as AttributePatch;
}

/** Applies the patch to the contact's encrypted attributes; returns the names changed (never the values). */
export async function rectifyAttributes(
  ctx: AppContext,
  db: Executor,
  contactId: string,
  patch: AttributePatch,
): Promise<string[]> {
  const contact = await findContactById(db, contactId, null);
  if (!contact) throw new AppError('not_found', 'contact not found');
  const field = { table: 'contacts', column: 'attributes_enc', pageId: contact.page_id, rowId: contact.id };
  const current = contact.attributes_enc
    ? (JSON.parse(openContactField(ctx, contact.id, contact.attributes_enc, field)) as Record<string, unknown>)
    : {};
  const changed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (k in current) changed.push(k);
      delete current[k];
    } else if (current[k] !== v) {
      current[k] = v;
      changed.push(k);
    }
  }
  const sealed = Object.keys(current).length ? sealContactField(ctx, contact.id, JSON.stringify(current), field) : null;
  await updateContactAttributes(db, contact.id, sealed, ctx.clock.now());
  return changed.sort();
}
