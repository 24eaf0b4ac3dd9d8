// Password hashing with scrypt from node:crypto (no native dependency), stored as a self-describing string so the
// cost can be raised later without breaking the hashes already stored.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../errors.ts';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash on a small host, so a flood of guesses cannot
 * starve the server. Each stored string names its parameters, so they can be raised later (OWASP's floor is N = 2^17)
 * and older hashes are upgraded at the next sign-in.
 */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };
const SALT_BYTES = 32;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing one costs no more than hashing any other. */
export const MAX_PASSWORD_LENGTH = 1024;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64url) of a fresh 32-byte salt; the parameters travel with the hash. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Whether `password` matches `stored`, compared in constant time. A string that is not one of ours is false (after
 * the same work as a real check), never an exception that a caller could answer differently.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  const params: ScryptParams = m ? { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) } : DEFAULT_SCRYPT;
  const valid =
    m !== null &&
    params.ln >= 10 &&
    params.ln <= 20 &&
    params.r >= 1 &&
    params.r <= 32 &&
    params.p >= 1 &&
    params.p <= 16;
  const salt = valid ? Buffer.from(m[4]!, 'base64url') : Buffer.alloc(SALT_BYTES);
  const expected = valid ? Buffer.from(m[5]!, 'base64url') : Buffer.alloc(KEY_BYTES);
  const actual = await derive(password, salt, valid ? params : DEFAULT_SCRYPT, expected.length);
  return timingSafeEqual(actual, expected) && valid;
}

/** Whether a stored hash was made with weaker parameters than today's, so it is re-hashed at the next sign-in. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const m = PHC.exec(stored);
  return !m || Number(m[1]) < params.ln || Number(m[2]) < params.r || Number(m[3]) < params.p;
}

let decoy: Promise<string> | null = null;

/**
 * Verifies `password` against a hash of a random secret: what sign-in does for an unknown email (or an account
 * without a password), so that it takes as long as a real check and its time tells nobody which emails exist.
 * Always false.
 */
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(password, await decoy);
  return false;
}

/** Throws `validation_failed` naming the rule a new password breaks: 12 to 1024 characters, and not the email. */
export function checkPasswordPolicy(password: string, email: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    throw new AppError('validation_failed', `the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (length > MAX_PASSWORD_LENGTH)
    throw new AppError('validation_failed', `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  const p = password.trim().toLowerCase();
  const e = email.trim().toLowerCase();
  if (p === e || p === e.split('@')[0])
    throw new AppError('validation_failed', 'the password must not be the email address');
}
