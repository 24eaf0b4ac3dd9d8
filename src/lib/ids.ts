import { secureRandomBytes } from './random.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case: sortable as plain strings

function encodeTime(ms: number): string {
  let out = '';
  let n = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

/**
 * An opaque, time-ordered identifier (`ct_01j…`): 48 bits of milliseconds then 80 random bits. Ordering by id is
 * ordering by creation time, which keeps cursor pagination simple on both SQLite and PostgreSQL.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${encodeRandom(secureRandomBytes(16))}`;
}
