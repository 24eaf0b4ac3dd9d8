// A forensic reader: what someone holding the master key gets out of a set of files. It decrypts every sealed value
// it finds, as an attacker would: AES-GCM's confidentiality does not depend on the associated data or the tag, so
// each ciphertext is run through AES-CTR from the GCM counter (no row, table or Page needed), with every data key the
// keyring holds and, for the values under a contact's key or an intake key, with every key found in the given key
// files.
import { createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Keyring } from '../../src/crypto/index.ts';

// Values may touch (one column's ciphertext right after another's), so each `v<n>.` starts a candidate of its own.
const SEALED_TEXT = /v([1-9][0-9]{0,8})\.(?=([A-Za-z0-9_-]{40,}))/g;
/** A webhook spool record: "psp1" little-endian, then the sealed length, the seq, and the sealed bytes. */
const SPOOL_MAGIC = Buffer.from([0x31, 0x70, 0x73, 0x70]);
/** The contact layer's prefix inside a keyring plaintext (src/crypto/contact-layer.ts). */
const CONTACT_LAYER = Buffer.from([0xff, 0x43, 0x4b, 0x01]);
/** The intake layer's prefix (src/modules/privacy/intake-body.ts), then the key id's length and the id. */
const INTAKE_LAYER = Buffer.from([0xff, 0x49, 0x4b, 0x01]);

/** The sealed bytes of a contact or intake layer inside a keyring plaintext, or null for a keyring-only value. */
function innerLayer(plain: Buffer): Buffer | null {
  if (plain.subarray(0, 4).equals(CONTACT_LAYER)) return plain.subarray(4);
  if (plain.length > 5 && plain.subarray(0, 4).equals(INTAKE_LAYER)) return plain.subarray(5 + plain[4]!);
  return null;
}

/** nonce ‖ ciphertext ‖ (tag): the plaintext of as much ciphertext as there is, unauthenticated. */
function ctr(key: KeyObject, sealed: Buffer): Buffer | null {
  if (sealed.length <= 12) return null;
  const iv = Buffer.concat([sealed.subarray(0, 12), Buffer.from([0, 0, 0, 2])]);
  const d = createDecipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([d.update(sealed.subarray(12)), d.final()]);
}

/** Every keyring plaintext in `bytes`: sealed text values (`v<n>.<base64url>`) and spool records. */
function keyringPlaintexts(bytes: Buffer, deks: Map<number, KeyObject>): Buffer[] {
  const out: Buffer[] = [];
  const text = bytes.toString('latin1');
  for (const m of text.matchAll(SEALED_TEXT)) {
    const dek = deks.get(Number(m[1]));
    const plain = dek && ctr(dek, Buffer.from(m[2]!.slice(0, m[2]!.length - (m[2]!.length % 4)), 'base64url'));
    if (plain) out.push(plain);
  }
  for (let at = bytes.indexOf(SPOOL_MAGIC); at >= 0; at = bytes.indexOf(SPOOL_MAGIC, at + 1)) {
    if (at + 20 > bytes.length) break;
    const length = bytes.readUInt32LE(at + 4);
    const sealed = bytes.subarray(at + 16, Math.min(bytes.length, at + 16 + length));
    const dek = sealed.length > 4 ? deks.get(sealed.readUInt32BE(0)) : undefined;
    const plain = dek && ctr(dek, sealed.subarray(4));
    if (plain) out.push(plain);
  }
  return out;
}

export interface ForensicRead {
  /** Which of the values were found, and where (file: plain bytes, keyring layer, or contact or intake layer). */
  found: Map<string, string[]>;
}

/**
 * Reads `files` as someone with the master key would: plain bytes, every keyring ciphertext, and every value under a
 * contact or intake key that `keyFiles` (contact key stores, read the same way) still give away. Returns where each of
 * `values` was found.
 */
export function forensicRead(keyring: Keyring, files: string[], keyFiles: string[], values: string[]): ForensicRead {
  const deks = new Map(keyring.transfer().deks);
  const contactKeys: KeyObject[] = [];
  for (const f of keyFiles) {
    for (const plain of keyringPlaintexts(readFileSync(f), deks))
      if (plain.length >= 32) contactKeys.push(createSecretKey(plain.subarray(0, 32)));
  }
  const found = new Map<string, string[]>();
  const note = (value: string, where: string) => found.set(value, [...(found.get(value) ?? []), where]);
  const search = (bytes: Buffer, where: string) => {
    for (const v of values) if (bytes.includes(Buffer.from(v, 'utf8'))) note(v, where);
  };
  for (const f of files) {
    const bytes = readFileSync(f);
    search(bytes, `${f} (plain)`);
    for (const plain of keyringPlaintexts(bytes, deks)) {
      search(plain, `${f} (keyring)`);
      const sealed = innerLayer(plain);
      if (!sealed) continue;
      for (const key of contactKeys) {
        const inner = ctr(key, sealed);
        if (inner) search(inner, `${f} (${sealed.byteOffset - plain.byteOffset === 4 ? 'contact' : 'intake'} key)`);
      }
    }
  }
  return { found };
}
