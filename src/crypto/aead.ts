// AES-256-GCM with a random 96-bit nonce; sealed layout is nonce ‖ ciphertext ‖ 128-bit tag.
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { secureRandomBytes } from '../lib/random.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts and authenticates `plaintext` together with `aad`; a fresh random nonce each call. */
export function seal(key: KeyObject, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = secureRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const last = cipher.final();
  return Buffer.concat([nonce, body, last, cipher.getAuthTag()]);
}

/** Returns the plaintext only if key, aad and every sealed byte are authentic; otherwise null, never partial data. */
export function open(key: KeyObject, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(body);
  try {
    // GCM releases plaintext from update() before the tag is checked; it is dropped unless final() succeeds.
    return Buffer.concat([head, decipher.final()]);
  } catch {
    return null;
  }
}
