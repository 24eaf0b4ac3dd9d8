// Meta's signed_request: base64url(HMAC-SHA256(secret, encodedPayload)) + "." + base64url(JSON), no padding.
// The HMAC covers the encoded payload text, not the decoded JSON.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequestPayload {
  user_id: string;
  algorithm: 'HMAC-SHA256';
  issued_at: number;
  expires?: number;
  [key: string]: unknown;
}

/** Builds a signed_request exactly as Meta sends it to data-deletion and deauthorize callbacks. */
export function createSignedRequest(appSecret: string, payload: SignedRequestPayload): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', appSecret).update(encoded).digest('base64url');
  return `${sig}.${encoded}`;
}

/** Verifies and decodes a signed_request; returns null for a bad signature, bad JSON or another algorithm. */
export function parseSignedRequest(appSecret: string, signedRequest: string): SignedRequestPayload | null {
  const dot = signedRequest.indexOf('.');
  if (dot <= 0) return null;
  const given = Buffer.from(signedRequest.slice(0, dot), 'base64url');
  const encoded = signedRequest.slice(dot + 1);
  const expected = createHmac('sha256', appSecret).update(encoded).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SignedRequestPayload;
    return payload.algorithm === 'HMAC-SHA256' ? payload : null;
  } catch {
    return null;
  }
}
