import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../kernel/context.ts';
import type { PrivacyCallbackTable } from '../../db/tables/privacy.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseSignedRequest } from '../../platform/signed-request.ts';
import { failedAuthentication } from '../access/auth-failures.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findCallbackBySignature, insertCallback } from './privacy.repository.ts';

// Meta gives no lifetime for a signed request; a day tolerates its retries and clock skew, and `expires` (when
// present) is honoured on top.
const MAX_AGE_SECONDS = 24 * 60 * 60;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export type CallbackKind = PrivacyCallbackTable['kind'];

/** Alphanumeric (hence URL-safe) and unguessable: 20 characters, 100 bits. */
export function newConfirmationCode(): string {
  let code = '';
  for (const b of randomBytes(20)) code += CODE_ALPHABET[b % 32];
  return code;
}

export function statusUrl(ctx: AppContext, code: string): string {
  return `${ctx.config.publicUrl}/meta/data-deletion/${code}`;
}

/**
 * Verifies Meta's signed_request (HMAC-SHA256 over the encoded payload with the app secret, algorithm, freshness)
 * and records the callback for the background mapper; the same signed request twice is one callback with one code.
 * Anything unverifiable is `invalid_signed_request`, counted per source and minute as a failed authentication (and
 * `rate_limited` once a source keeps failing). Makes no Graph call.
 */
export async function receiveMetaCallback(
  ctx: AppContext,
  kind: CallbackKind,
  signedRequest: string | undefined,
  requestId: string,
  source: string,
): Promise<PrivacyCallbackTable> {
  const now = ctx.clock.now();
  const meta = { type: 'meta' as const, id: null, requestId };
  const secret = ctx.config.meta.appSecret;
  const parsed =
    typeof signedRequest === 'string' && secret
      ? parseSignedRequest(signedRequest, secret, { now, maxAgeSeconds: MAX_AGE_SECONDS })
      : null;
  const reason = !secret ? 'no_app_secret' : !parsed ? 'missing' : !parsed.ok ? parsed.reason : null;
  const payload = parsed?.ok ? parsed.payload : null;
  const expired = payload && typeof payload.expires === 'number' && payload.expires * 1000 < now;
  const userId =
    payload && typeof payload.user_id === 'string' && /^[0-9]{1,32}$/.test(payload.user_id) ? payload.user_id : null;
  if (reason || expired || !userId || !payload) {
    // Counted per source and minute, not one audit row each: anyone can POST here (see auth-failures.ts).
    throw failedAuthentication(
      ctx,
      `meta_${kind}`,
      source,
      reason ?? (expired ? 'stale' : 'no_user_id'),
      new AppError(
        'invalid_signed_request',
        "the signed_request is missing, malformed, not signed with this app's secret, not HMAC-SHA256, or stale",
      ),
    );
  }
  const userBidx = ctx.keyring.blindIndex(userId, 'asid');
  const issuedAt = payload.issued_at * 1000;
  return ctx.db.transaction().execute(async (trx) => {
    const seen = await findCallbackBySignature(trx, kind, userBidx, issuedAt);
    if (seen) return seen;
    const id = newId('pc', now);
    const row: PrivacyCallbackTable = {
      id,
      kind,
      confirmation_code: newConfirmationCode(),
      user_bidx: userBidx,
      user_enc: ctx.keyring.encrypt(userId, {
        table: 'privacy_callbacks',
        column: 'user_enc',
        pageId: null,
        rowId: id,
      }),
      status: 'received',
      contacts_found: null,
      issued_at: issuedAt,
      received_at: now,
      completed_at: null,
      attempts: 0,
      next_attempt_at: now,
      updated_at: now,
    };
    await insertCallback(trx, row);
    await appendAudit(
      trx,
      meta,
      { action: `privacy.meta_${kind}.received`, subjectType: 'privacy_callback', subjectId: id },
      now,
    );
    return row;
  });
}
