// Contact-owned fields: sealed under the contact's own key, then under the keyring as every field is. The keyring
// layer keeps key rotation and the `{table, column, pageId, rowId}` binding unchanged; the inner layer is what
// erasure destroys. A value written before this layer existed (keyring only) still opens.
import { join } from 'node:path';
import type { FieldContext } from './index.ts';
import { open, seal } from './aead.ts';
import { encodeFields } from './encoding.ts';
import type { AppContext } from '../kernel/context.ts';
import { AppError } from '../errors.ts';
import { ContactKeyStore } from './contact-key-store.ts';

// 0xFF never starts valid UTF-8, so a keyring-only value (always UTF-8 text or JSON) cannot look like this.
const MAGIC = Buffer.from([0xff, 0x43, 0x4b, 0x01]);

const stores = new WeakMap<AppContext, ContactKeyStore>();

/** Where the contact keys live: PAGESCOPE_CONTACT_KEYS_FILE, else `contact-keys.db` beside the data. */
export function contactKeysFile(ctx: AppContext): string {
  return ctx.config.privacy?.contactKeysFile ?? join(ctx.config.dataDir, 'contact-keys.db');
}

/** The app's contact key store, opened once per context. */
export function contactKeys(ctx: AppContext): ContactKeyStore {
  let store = stores.get(ctx);
  if (!store) {
    store = ContactKeyStore.open(contactKeysFile(ctx), ctx.keyring);
    stores.set(ctx, store);
  }
  return store;
}

/** Closes the context's key store (at shutdown and in tests). */
export function closeContactKeys(ctx: AppContext): void {
  stores.get(ctx)?.close();
  stores.delete(ctx);
}

function innerAad(contactId: string, field: FieldContext): Buffer {
  return encodeFields(['pagescope/contact-field/v1', contactId, field.table, field.column, field.pageId, field.rowId]);
}

/**
 * Encrypts a contact-owned value: drop-in for `keyring.encrypt(value, field)` on any column of a table whose
 * registry entry names a contactColumn. Refuses (`erased`) once the contact's key was destroyed.
 */
export function sealContactField(ctx: AppContext, contactId: string, value: string | Buffer, field: FieldContext): string {
  const key = contactKeys(ctx).keyFor(contactId, field.pageId);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return ctx.keyring.encrypt(Buffer.concat([MAGIC, seal(key, bytes, innerAad(contactId, field))]), field);
}

/** Decrypts a contact-owned value written by sealContactField (or by the keyring alone, before the switch). */
export function openContactFieldBuffer(ctx: AppContext, contactId: string, ciphertext: string, field: FieldContext): Buffer {
  const outer = ctx.keyring.decryptBuffer(ciphertext, field);
  if (outer.length < MAGIC.length || !outer.subarray(0, MAGIC.length).equals(MAGIC)) return outer;
  const key = contactKeys(ctx).existingKey(contactId);
  const plain = key && open(key, outer.subarray(MAGIC.length), innerAad(contactId, field));
  if (!plain) throw new AppError('decryption_failed', "a contact's value could not be decrypted (its key was destroyed by erasure, or it was moved)");
  return plain;
}

/** Drop-in for `keyring.decrypt(ciphertext, field)` on contact-owned columns. */
export function openContactField(ctx: AppContext, contactId: string, ciphertext: string, field: FieldContext): string {
  return openContactFieldBuffer(ctx, contactId, ciphertext, field).toString('utf8');
}

/** Whether a stored value carries the contact layer (for migrating old rows and for tests). */
export function hasContactLayer(ctx: AppContext, ciphertext: string, field: FieldContext): boolean {
  const outer = ctx.keyring.decryptBuffer(ciphertext, field);
  return outer.length >= MAGIC.length && outer.subarray(0, MAGIC.length).equals(MAGIC);
}
