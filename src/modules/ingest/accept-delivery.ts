import type { Keyring } from '../../crypto/index.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';
import type { ErrorCode } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseEnvelope, verifyWebhookSignature, type SignatureHeaders } from '../../platform/index.ts';

/** Why a POST was not taken: the metric's outcome label, and the error answered. Nothing is stored for it. */
export interface Refusal {
  outcome: string;
  code: ErrorCode;
  message: string;
}

export type Acceptance = { ok: true; row: WebhookDeliveryTable } | ({ ok: false } & Refusal);

const refused = (outcome: string, code: ErrorCode, message: string): Acceptance => ({ ok: false, outcome, code, message });

/**
 * Decides one webhook POST and, when it is taken, builds the row to store: the signature checked over the exact
 * bytes, the body a Meta envelope, the body encrypted and keyed by a hash of it (the processor skips a body it has
 * seen before). Pure apart from the random id and nonce, so the server's thread and the SQLite intake worker decide
 * alike.
 */
export function acceptDelivery(keyring: Keyring, appSecret: string | null, raw: Buffer, headers: SignatureHeaders, now: number): Acceptance {
  if (!appSecret) return refused('not_configured', 'not_ready', 'webhook handling is not configured: set META_APP_SECRET');
  const verdict = verifyWebhookSignature(raw, headers, appSecret);
  if (!verdict.ok) return refused(`signature_${verdict.reason}`, 'invalid_signature', 'X-Hub-Signature-256 is missing, malformed or does not match the body');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return refused('not_envelope', 'bad_request', 'the body is not JSON');
  }
  const envelope = parseEnvelope(json);
  if (!envelope.ok) return refused('not_envelope', 'bad_request', `the body is not a Meta webhook envelope (${envelope.reason})`);
  const id = newId('wd', now);
  return {
    ok: true,
    row: {
      id, received_at: now,
      // The verified signature is already a digest of the exact bytes (keyed with the app secret): hashing its 32
      // bytes under our own key dedupes identical bodies without a second pass over the whole body.
      body_hash: keyring.blindIndex(headers.sha256!.trim().slice(7).toLowerCase(), 'webhook-body'),
      body_enc: keyring.encrypt(raw, { table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId: id }),
      status: 'pending', attempts: 0, lease_owner: null, lease_until: null, processed_at: null, event_count: null, error: null,
    },
  };
}
