// Byte-level helpers shared by the keyring: unambiguous field encoding for AAD/HMAC input, strict base64url.

const TAG_NULL = 0;
const TAG_STRING = 1;
const TAG_NUMBER = 2;

/** Encodes a list of fields so that no two different lists give the same bytes: ("a","bc") ≠ ("ab","c"), null ≠ "". */
export function encodeFields(fields: readonly (string | number | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    if (field === null) {
      parts.push(Buffer.from([TAG_NULL]));
    } else if (typeof field === 'number') {
      const b = Buffer.alloc(5);
      b[0] = TAG_NUMBER;
      b.writeUInt32BE(field, 1);
      parts.push(b);
    } else {
      const bytes = Buffer.from(field, 'utf8');
      const head = Buffer.alloc(5);
      head[0] = TAG_STRING;
      head.writeUInt32BE(bytes.length, 1);
      parts.push(head, bytes);
    }
  }
  return Buffer.concat(parts);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url only in its canonical form, so that two different strings never decode to the same bytes. */
export function decodeBase64urlStrict(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Node ignores the unused low bits of the last character; re-encoding catches a string that differs only there.
  return bytes.toString('base64url') === text ? bytes : null;
}
