// Byte-level helpers shared by the keyring: unambiguous field encoding for AAD/HMAC input, strict base64url.

const TAG_NULL = 0;
const TAG_STRING = 1;
const TAG_NUMBER = 2;

/** Encodes a list of fields so that no two different lists give the same bytes: ("a","bc") ≠ ("ab","c"), null ≠ "". */
export function encodeFields(fields: readonly (string | number | null)[]): Buffer {
  let size = 0;
  for (const field of fields)
    size += field === null ? 1 : typeof field === 'number' ? 5 : 5 + Buffer.byteLength(field, 'utf8');
  // One allocation: this runs on every encrypt, decrypt and blind index.
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const field of fields) {
    if (field === null) {
      out[at++] = TAG_NULL;
    } else if (typeof field === 'number') {
      out[at] = TAG_NUMBER;
      at = out.writeUInt32BE(field, at + 1);
    } else {
      out[at] = TAG_STRING;
      const length = out.write(field, at + 5, 'utf8');
      out.writeUInt32BE(length, at + 1);
      at += 5 + length;
    }
  }
  return out;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Decodes base64url only in its canonical form, so that two different strings never decode to the same bytes. */
export function decodeBase64urlStrict(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  // Node ignores the unused low bits of the last character and a dangling sixth bit-group; refusing both means
  // that a string differing only there cannot decode to the same bytes.
  const tail = text.length % 4;
  if (tail === 1) return null;
  if (tail !== 0) {
    const last = ALPHABET.indexOf(text[text.length - 1]!);
    if ((last & (tail === 2 ? 0b1111 : 0b11)) !== 0) return null;
  }
  return Buffer.from(text, 'base64url');
}
