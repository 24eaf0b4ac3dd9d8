// Raw webhook bodies: sealed under an intake key, then under the keyring as every field is (as contact-layer.ts
// does for contact-owned fields). The intake keys live outside the database (contact-keys.db) and are destroyed once
// no body is left under them (intake-keys.ts), so a copy of a body that outlives its row (a backup, or the unused
// space that SQLite's page rebalancing leaves behind) cannot be read once its key is gone. This file is what the
// threads that store webhooks need; it holds no policy.
import type { KeyObject } from 'node:crypto';
import type { FieldContext, Keyring } from '../../crypto/index.ts';
import { open, seal } from '../../crypto/aead.ts';
import { encodeFields } from '../../crypto/encoding.ts';
import { AppError } from '../../errors.ts';

// The type lives beside the store that keeps the keys; the threads that store webhooks import it from here.
import type { IntakeKey } from '../../crypto/contact-key-store.ts';
export type { IntakeKey };

// 0xFF never starts valid UTF-8, so a keyring-only body (always JSON text) cannot look like this. Then the key id's
// length (one byte) and the id, then the sealed body.
const MAGIC = Buffer.from([0xff, 0x49, 0x4b, 0x01]);

/** Thrown where a body is stored under a key that was retired meanwhile: seal it again under the current key. */
export class IntakeKeyRetired extends Error {
  readonly code = 'intake_key_retired';
  constructor() {
    super('the intake key was retired; seal under the current one');
    this.name = 'IntakeKeyRetired';
  }
}

const innerAad = (keyId: string, field: FieldContext) =>
  encodeFields(['pagescope/intake-body/v1', keyId, field.table, field.column, field.pageId, field.rowId]);

/** Encrypts a raw body under the intake key, inside the keyring's layer. */
export function sealIntakeBody(keyring: Keyring, intake: IntakeKey, raw: Buffer, field: FieldContext): string {
  const id = Buffer.from(intake.id, 'latin1');
  const inner = seal(intake.key, raw, innerAad(intake.id, field));
  return keyring.encrypt(Buffer.concat([MAGIC, Buffer.of(id.length), id, inner]), field);
}

/** The id of the intake key a keyring plaintext is sealed under, or null for a keyring-only body. */
export function intakeKeyIdOf(outer: Buffer): string | null {
  if (outer.length < MAGIC.length + 1 || !outer.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  return outer.subarray(MAGIC.length + 1, MAGIC.length + 1 + outer[MAGIC.length]!).toString('latin1');
}

/**
 * Opens a keyring plaintext of a raw body: the intake layer with the key `keyOf` finds for its id, or the plaintext
 * itself for a body stored before intake keys. Throws `decryption_failed` when its key was destroyed.
 */
export function openIntakeLayer(outer: Buffer, keyOf: (id: string) => KeyObject | null, field: FieldContext): Buffer {
  const keyId = intakeKeyIdOf(outer);
  if (keyId === null) return outer;
  const key = keyOf(keyId);
  const plain = key && open(key, outer.subarray(MAGIC.length + 1 + keyId.length), innerAad(keyId, field));
  if (!plain) {
    throw new AppError('decryption_failed', 'a raw webhook body could not be decrypted (its intake key is gone)');
  }
  return plain;
}
