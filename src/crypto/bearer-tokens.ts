// Random bearer tokens and comparisons that do not leak where two secrets differ.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';

const TOKEN_BYTES = 24;

/** `prefix` + base64url of 24 random bytes (192 bits), e.g. `psk_…`; the prefix only helps people and scanners. */
export function generateToken(prefix: string): string {
  if (!/^[a-z][a-z0-9]{0,15}_$/.test(prefix)) {
    throw new AppError('internal', 'a token prefix is a short lower-case word ending in "_", e.g. "psk_"');
  }
  return prefix + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Equality in time independent of content and of where the inputs differ; lengths leak nothing either. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  // Hashing first gives equal-length inputs for timingSafeEqual, so unequal lengths take the same path.
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
