// Sub-keys derived from the master key, one per purpose, so that no key ever serves two purposes.
import { createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';

export const MASTER_KEY_BYTES = 32;
const SALT = 'pagescope';

export type KeyPurpose = 'kek/v1' | 'blind-index/v1' | 'token-hash/v1' | 'key-check/v1';

/** Fails unless `master` is exactly 32 bytes, so a short or empty key can never be used by accident. */
export function assertMasterKey(master: Buffer): void {
  if (!Buffer.isBuffer(master) || master.length !== MASTER_KEY_BYTES) {
    throw new AppError('config_invalid', `the master key must be exactly ${MASTER_KEY_BYTES} bytes`);
  }
}

/** HKDF-SHA256(master, salt 'pagescope', info = purpose): independent 32-byte keys per purpose. */
export function deriveKey(master: Buffer, purpose: KeyPurpose): KeyObject {
  assertMasterKey(master);
  return createSecretKey(Buffer.from(hkdfSync('sha256', master, SALT, purpose, 32)));
}

/** A value to store at init that identifies the master key without revealing it (an HKDF output, not the key). */
export function computeKeyCheck(master: Buffer): string {
  return deriveKey(master, 'key-check/v1').export().toString('base64url');
}

/** True when `master` is the key whose check value was stored; compared in constant time. */
export function keyCheckMatches(master: Buffer, stored: string): boolean {
  const expected = Buffer.from(computeKeyCheck(master));
  const given = Buffer.from(stored);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
