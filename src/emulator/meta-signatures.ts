import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureHeaders {
  'x-hub-signature-256': string;
  'x-hub-signature': string;
}

/** Both signature headers Meta sends: sha256 (current) and sha1 (legacy), lowercase hex over the raw body. */
export function signBody(appSecret: string, body: string | Buffer): SignatureHeaders {
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    'x-hub-signature': `sha1=${createHmac('sha1', appSecret).update(body).digest('hex')}`,
  };
}

/** True only when `header` is `sha256=<hex>` matching the body under the secret (constant-time compare). */
export function verifySignature256(appSecret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** appsecret_proof as Meta defines it: hex HMAC-SHA256 of the access token keyed by the app secret. */
export function appsecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}
