import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 8192;
const LARGEST_POOLED = 256;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Cryptographically secure random bytes for the hot paths (ids, AES-GCM nonces). Each call into the CSPRNG costs
 * about 10 µs on this kind of machine whatever its size, so bytes are drawn from a pool filled 8 KB at a time, as
 * node's own randomUUID does. Every byte is handed out once, and a pool is never refilled: a new one replaces it,
 * so a view handed out earlier never changes.
 */
export function secureRandomBytes(n: number): Buffer {
  if (n > LARGEST_POOLED) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}
