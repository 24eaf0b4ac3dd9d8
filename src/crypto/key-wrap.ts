// Data-encryption keys (one random key per key version) are stored wrapped under the KEK.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { open, seal } from './aead.ts';
import { decodeBase64urlStrict } from './encoding.ts';

const DEK_BYTES = 32;

/** A key version as the database stores it. */
export interface WrappedKeyVersion {
  version: number;
  wrapped: string;
  createdAt: number;
}

/** Key versions are positive integers that fit the ciphertext prefix and the AAD's uint32. */
export function isValidVersion(version: unknown): version is number {
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= 999_999_999;
}

function aadFor(version: number): Buffer {
  // The version is bound into the wrap, so a wrapped key cannot be relabelled as another version.
  return Buffer.from(`pagescope/key-version/${version}`, 'utf8');
}

/** Creates a fresh random DEK for `version` and returns it wrapped under `kek` (AES-256-GCM). */
export function wrapNewDek(kek: KeyObject, version: number): string {
  return seal(kek, randomBytes(DEK_BYTES), aadFor(version)).toString('base64url');
}

/** Returns the DEK, or null when the KEK is wrong, the version label differs or the stored value is damaged. */
export function unwrapDek(kek: KeyObject, version: number, wrapped: string): KeyObject | null {
  const sealed = decodeBase64urlStrict(wrapped);
  if (!sealed) return null;
  const dek = open(kek, sealed, aadFor(version));
  return dek && dek.length === DEK_BYTES ? createSecretKey(dek) : null;
}
