import type { Keyring } from '../../crypto/keyring.ts';

export function attributeBlindIndex(keyring: Keyring, key: string, value: string): string {
  return keyring.blindIndex(value.trim().toLowerCase(), `attribute:${key}`);
}
