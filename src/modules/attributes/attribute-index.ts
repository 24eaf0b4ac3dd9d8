import type { Keyring } from '../../crypto/index.ts';

/** The blind index of a personal attribute's value (its canonical string), per key: equality without the clear text. */
export function attributeBlindIndex(keyring: Keyring, key: string, value: string): string {
  return keyring.blindIndex(value.trim().toLowerCase(), `attribute:${key}`);
}
