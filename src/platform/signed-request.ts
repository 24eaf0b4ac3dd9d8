import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedRequestPayload = {
  algorithm: string;
  issued_at: number;
  user_id?: string;
  expires?: number;
  [key: string]: unknown;
};
export type SignedRequestRefusal = 'malformed' | 'bad_signature' | 'bad_algorithm' | 'stale';
export type SignedRequestResult =
  { ok: true; payload: SignedRequestPayload } | { ok: false; reason: SignedRequestRefusal };
export type SignedRequestOptions = { now: number; maxAgeSeconds: number };

// Meta omits padding, but some senders append '=' (see the reference §7.1), so padding is tolerated.
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Verifies a Meta `signed_request` (data deletion / deauthorize): HMAC-SHA256 over the encoded payload,
 * algorithm HMAC-SHA256, and `issued_at` within maxAgeSeconds of `now` (ms) in either direction.
 */
export function parseSignedRequest(
  signedRequest: string,
  appSecret: string,
  { now, maxAgeSeconds }: SignedRequestOptions,
): SignedRequestResult {
  const parts = signedRequest.trim().split('.');
  const [encodedSignature, encodedPayload] = parts;
  if (parts.length !== 2 || !encodedSignature || !encodedPayload) return refuse('malformed');
  if (!BASE64URL.test(encodedSignature) || !BASE64URL.test(encodedPayload)) return refuse('malformed');

  const payload = decodePayload(encodedPayload);
  if (!payload) return refuse('malformed');
  if (typeof payload.algorithm !== 'string' || payload.algorithm.toUpperCase() !== 'HMAC-SHA256') {
    return refuse('bad_algorithm');
  }

  const given = Buffer.from(encodedSignature, 'base64url');
  const expected = createHmac('sha256', appSecret).update(encodedPayload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('bad_signature');

  if (typeof payload.issued_at !== 'number' || !Number.isFinite(payload.issued_at)) return refuse('malformed');
  // A request from the future is as untrustworthy as an old one: both mean a replay or a broken clock.
  if (Math.abs(now - payload.issued_at * 1000) > maxAgeSeconds * 1000) return refuse('stale');
  return { ok: true, payload: payload as SignedRequestPayload };
}

/** Builds a `signed_request` exactly as Meta does (unpadded base64url), for tests and the emulator's peers. */
export function createSignedRequest(payload: Record<string, unknown>, appSecret: string): string {
  const encodedPayload = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', appSecret).update(encodedPayload).digest('base64url');
  return `${signature}.${encodedPayload}`;
}

function decodePayload(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function refuse(reason: SignedRequestRefusal): SignedRequestResult {
  return { ok: false, reason };
}
