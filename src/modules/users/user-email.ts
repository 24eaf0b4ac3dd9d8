// An operator's email is personal data: kept sealed by the keyring, found by the blind index of its normal form.
import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import type { UserTable } from '../../db/tables/users.ts';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** Trimmed and lower-cased: the form that is stored, indexed and compared. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The normal form of a new account's email, or `validation_failed` (the message never quotes the value). */
export function validEmail(email: string): string {
  const e = normaliseEmail(email);
  if (!EMAIL.test(e)) throw new AppError('validation_failed', 'email must be an address such as ana@example.com');
  return e;
}

export function emailIndex(ctx: AppContext, email: string): string {
  return ctx.keyring.blindIndex(normaliseEmail(email), 'operator-email');
}

export function sealEmail(ctx: AppContext, userId: string, email: string): string {
  return ctx.keyring.encrypt(email, { table: 'users', column: 'email_enc', pageId: null, rowId: userId });
}

export function openEmail(ctx: AppContext, row: Pick<UserTable, 'id' | 'email_enc'>): string {
  return ctx.keyring.decrypt(row.email_enc, { table: 'users', column: 'email_enc', pageId: null, rowId: row.id });
}
