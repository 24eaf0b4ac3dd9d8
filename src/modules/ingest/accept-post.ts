import type { Keyring } from '../../crypto/index.ts';
import { webhookBodyField, type WebhookPostTable } from '../../db/tables/conversations.ts';
import { newId } from '../../lib/ids.ts';
import { parseEnvelope, verifyWebhookSignature, type SignatureHeaders } from '../../platform/index.ts';
import { sealIntakeBody, type IntakeKey } from '../privacy/intake-body.ts';

const bodyField = webhookBodyField;

import type { Refusal } from '../../kernel/webhook-intake.ts';

export type { Refusal };

/** A storage failure, answered 503 so Meta retries; `cause` is a code for the log, never data. */
export const storageRefusal = (cause: string): Refusal & { cause: string } => ({
  outcome: 'storage_error',
  code: 'storage_unavailable',
  message: 'the delivery could not be stored; Meta will retry',
  cause,
});

export type Acceptance = { ok: true; row: WebhookPostTable } | ({ ok: false } & Refusal);

/**
 * Whether a webhook POST is taken: the signature checked over the exact bytes, the body a Meta envelope. Null when
 * it is; else why not (nothing is stored for it).
 */
export function checkPost(appSecret: string | null, raw: Buffer, headers: SignatureHeaders): Refusal | null {
  if (!appSecret)
    return {
      outcome: 'not_configured',
      code: 'not_ready',
      message: 'webhook handling is not configured: set META_APP_SECRET',
    };
  const verdict = verifyWebhookSignature(raw, headers, appSecret);
  if (!verdict.ok)
    return {
      outcome: `signature_${verdict.reason}`,
      code: 'invalid_signature',
      message: 'X-Hub-Signature-256 is missing, malformed or does not match the body',
    };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { outcome: 'not_envelope', code: 'bad_request', message: 'the body is not JSON' };
  }
  const envelope = parseEnvelope(json);
  if (!envelope.ok)
    return {
      outcome: 'not_envelope',
      code: 'bad_request',
      message: `the body is not a Meta webhook envelope (${envelope.reason})`,
    };
  return null;
}

/** The 64 hex digits of a verified `sha256=` signature header, lower case. */
export const signatureDigest = (headers: SignatureHeaders): string => headers.sha256!.trim().slice(7).toLowerCase();

/**
 * The row that stores a taken POST: the body encrypted under the intake key (which the row names) and the keyring,
 * bound to the row, keyed by a hash of it (the processor
 * skips a body it has seen before). The verified signature is already a digest of the exact bytes (keyed with the
 * app secret): hashing its 32 bytes under our own key dedupes identical bodies without a second pass over the body.
 */
export function postRow(
  keyring: Keyring,
  intake: IntakeKey,
  raw: Buffer,
  digest: string,
  now: number,
): WebhookPostTable {
  const id = newId('wd', now);
  return {
    id,
    received_at: now,
    body_hash: keyring.blindIndex(digest, 'webhook-body'),
    body_enc: sealIntakeBody(keyring, intake, raw, bodyField(id)),
    body_key: intake.id,
    status: 'pending',
    attempts: 0,
    lease_owner: null,
    lease_until: null,
    processed_at: null,
    event_count: null,
    error: null,
  };
}

/** Decides one webhook POST and, when it is taken, builds its row; the server's thread and the intake worker alike. */
export function acceptPost(
  keyring: Keyring,
  intake: IntakeKey,
  appSecret: string | null,
  raw: Buffer,
  headers: SignatureHeaders,
  now: number,
): Acceptance {
  const refusal = checkPost(appSecret, raw, headers);
  if (refusal) return { ok: false, ...refusal };
  return { ok: true, row: postRow(keyring, intake, raw, signatureDigest(headers), now) };
}
