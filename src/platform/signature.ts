import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureHeaders = { sha256?: string; sha1?: string };
export type SignatureRefusal = 'missing' | 'malformed' | 'mismatch' | 'sha1_only';
export type SignatureVerdict = { ok: true } | { ok: false; reason: SignatureRefusal };

const SHA256_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/** Accepts only a well-formed `sha256=<64 hex>` matching HMAC-SHA256(appSecret, rawBody), compared in constant time; SHA-1 alone is refused. */
export function verifyWebhookSignature(
  rawBody: Buffer,
  headers: SignatureHeaders,
  appSecret: string,
): SignatureVerdict {
  const header = headers.sha256;
  if (header === undefined) {
    // A legacy SHA-1 header must never be enough: SHA-1 HMACs are the weaker, deprecated scheme.
    return { ok: false, reason: headers.sha1 === undefined ? 'missing' : 'sha1_only' };
  }
  const match = SHA256_HEADER.exec(header.trim());
  if (!match?.[1]) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Returns the `X-Hub-Signature-256` value Meta would send for this exact body. */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
