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

const RANDOM_DIGITS = 16;

// The last id's time and random digits (this thread's): an id made in the same millisecond takes the next value.
let lastMs = -1;
const lastDigits = new Uint8Array(RANDOM_DIGITS);

/** The random digits of an id at `now`: fresh ones, or within the same millisecond the previous ones plus one. */
function randomDigits(now: number): Uint8Array {
  if (now === lastMs) {
    let i = RANDOM_DIGITS - 1;
    while (i >= 0 && lastDigits[i] === 31) lastDigits[i--] = 0;
    // 80 bits of carry used up cannot happen in a millisecond; were it to, fresh digits are still unique.
    if (i >= 0) {
      lastDigits[i]!++;
      return lastDigits;
    }
  }
  const bytes = secureRandomBytes(RANDOM_DIGITS);
  for (let i = 0; i < RANDOM_DIGITS; i++) lastDigits[i] = bytes[i]! % 32;
  lastMs = now;
  return lastDigits;
}

/**
 * An opaque, time-ordered identifier (`ct_01j…`): 48 bits of milliseconds then 80 random bits. Ordering by id is
 * ordering by creation time, which keeps cursor pagination simple on both SQLite and PostgreSQL; ids made in one
 * millisecond by one thread follow their order of creation too (the random part of each is the previous one's plus
 * one), so a contact's messages queued together go out in the order they were queued.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let random = '';
  for (const d of randomDigits(now)) random += ALPHABET[d];
  return `${prefix}_${encodeTime(now)}${random}`;
}
