// Contact-owned fields: sealed under the contact's own key, then under the keyring as every field is. The keyring
// layer keeps key rotation and the `{table, column, pageId, rowId}` binding unchanged; the inner layer is what
// erasure destroys. A value written before this layer existed (keyring only) still opens.
import type { FieldContext, Keyring } from './index.ts';
import { open, seal } from './aead.ts';
import { encodeFields } from './encoding.ts';
import { AppError } from '../errors.ts';
import type { ContactKeyStore } from './contact-key-store.ts';

// 0xFF never starts valid UTF-8, so a keyring-only value (always UTF-8 text or JSON) cannot look like this.
const MAGIC = Buffer.from([0xff, 0x43, 0x4b, 0x01]);

/**
 * What the contact layer needs: the keyring and the contact key store. The application context satisfies it (it
 * owns the store: opens it when it is made, closes it with itself), and crypto stays below the kernel.
 */
export interface ContactLayer {
  keyring: Keyring;
  contactKeys: ContactKeyStore;
}

function innerAad(contactId: string, field: FieldContext): Buffer {
  return encodeFields(['pagescope/contact-field/v1', contactId, field.table, field.column, field.pageId, field.rowId]);
}

/**
 * Encrypts a contact-owned value: drop-in for `keyring.encrypt(value, field)` on any column of a table whose
 * registry entry names a contactColumn. Refuses (`erased`) once the contact's key was destroyed.
 */
export function sealContactField(
  ctx: ContactLayer,
  contactId: string,
  value: string | Buffer,
  field: FieldContext,
): string {
  const key = ctx.contactKeys.keyFor(contactId, field.pageId);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return ctx.keyring.encrypt(Buffer.concat([MAGIC, seal(key, bytes, innerAad(contactId, field))]), field);
}

/** Decrypts a contact-owned value written by sealContactField (or by the keyring alone, before the switch). */
export function openContactFieldBuffer(
  ctx: ContactLayer,
  contactId: string,
  ciphertext: string,
  field: FieldContext,
): Buffer {
  const outer = ctx.keyring.decryptBuffer(ciphertext, field);
  if (outer.length < MAGIC.length || !outer.subarray(0, MAGIC.length).equals(MAGIC)) return outer;
  const key = ctx.contactKeys.existingKey(contactId);
  const plain = key && open(key, outer.subarray(MAGIC.length), innerAad(contactId, field));
  if (!plain)
    throw new AppError(
      'decryption_failed',
      "a contact's value could not be decrypted (its key was destroyed by erasure, or it was moved)",
    );
  return plain;
}

/** Drop-in for `keyring.decrypt(ciphertext, field)` on contact-owned columns. */
export function openContactField(
  ctx: ContactLayer,
  contactId: string,
  ciphertext: string,
  field: FieldContext,
): string {
  return openContactFieldBuffer(ctx, contactId, ciphertext, field).toString('utf8');
}

/** Whether a stored value carries the contact layer (for migrating old rows and for tests). */
export function hasContactLayer(ctx: ContactLayer, ciphertext: string, field: FieldContext): boolean {
  const outer = ctx.keyring.decryptBuffer(ciphertext, field);
  return outer.length >= MAGIC.length && outer.subarray(0, MAGIC.length).equals(MAGIC);
}
