import type { AppContext } from '../../app/context.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseEnvelope, verifyWebhookSignature, type SignatureHeaders } from '../../platform/index.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteDeliveryWriter } from './delivery-writer.repository.ts';
import { notifyDeliveryStored } from './notify.ts';
import { insertDeliveries } from './webhook.repository.ts';

const committers = new WeakMap<AppContext, GroupCommit<WebhookDeliveryTable, void>>();

function committerFor(ctx: AppContext): GroupCommit<WebhookDeliveryTable, void> {
  let gc = committers.get(ctx);
  if (!gc) {
    // On SQLite the commit (and its fsync) runs in a worker thread so the event loop keeps serving requests.
    const observe = (size: number) => ctx.metrics.webhookCommitBatch.observe(size);
    const writer = ctx.database.file ? new SqliteDeliveryWriter(ctx.database.file, observe) : null;
    gc = new GroupCommit<WebhookDeliveryTable, void>(
      async (rows) => {
        if (writer) await writer.write(rows);
        else await ctx.db.transaction().execute((trx) => insertDeliveries(trx, rows));
        return rows.map(() => undefined);
      },
      // The SQLite writer merges whatever reached it while it was committing into its next commit, so batches go to it
      // at once rather than wait here for the previous commit's answer.
      { maxBatch: 256, maxInFlight: writer ? 8 : 1, ...(!writer && { onBatch: observe }) },
    );
    committers.set(ctx, gc);
  }
  return gc;
}

function refuse(ctx: AppContext, outcome: string, err: AppError): never {
  ctx.metrics.webhookDeliveries.inc({ outcome });
  throw err;
}

/**
 * Accepts one webhook POST: checks the signature over the exact bytes, checks it is a Meta envelope, and stores the
 * body encrypted with a keyed hash of it (the processor skips a body it has seen before). Resolves only once the row
 * is committed (shared group commit); storage failure is `storage_unavailable` so Meta retries. Nothing is stored
 * for a refused request.
 */
export async function receiveWebhook(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<void> {
  const secret = ctx.config.meta.appSecret;
  if (!secret) refuse(ctx, 'not_configured', new AppError('not_ready', 'webhook handling is not configured: set META_APP_SECRET'));
  const verdict = verifyWebhookSignature(raw, headers, secret);
  if (!verdict.ok) {
    refuse(ctx, `signature_${verdict.reason}`, new AppError('invalid_signature', 'X-Hub-Signature-256 is missing, malformed or does not match the body'));
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    refuse(ctx, 'not_envelope', new AppError('bad_request', 'the body is not JSON'));
  }
  const envelope = parseEnvelope(json);
  if (!envelope.ok) refuse(ctx, 'not_envelope', new AppError('bad_request', `the body is not a Meta webhook envelope (${envelope.reason})`));

  const now = ctx.clock.now();
  const id = newId('wd', now);
  const row: WebhookDeliveryTable = {
    id, received_at: now,
    // The verified signature is already a digest of the exact bytes (keyed with the app secret): hashing its 32 bytes
    // under our own key dedupes identical bodies without a second pass over the whole body.
    body_hash: ctx.keyring.blindIndex(headers.sha256!.slice(7).toLowerCase(), 'webhook-body'),
    body_enc: ctx.keyring.encrypt(raw, { table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId: id }),
    status: 'pending', attempts: 0, lease_owner: null, lease_until: null, processed_at: null, event_count: null, error: null,
  };
  try {
    await committerFor(ctx).submit(row);
  } catch (err) {
    ctx.logger.error({ err: { message: (err as Error).message, code: (err as { code?: unknown }).code } }, 'webhook delivery could not be stored');
    refuse(ctx, 'storage_error', new AppError('storage_unavailable', 'the delivery could not be stored; Meta will retry'));
  }
  ctx.metrics.webhookStored.inc();
  notifyDeliveryStored(ctx);
}
