import type { AppContext } from '../../app/context.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';
import { AppError } from '../../errors.ts';
import type { SignatureHeaders } from '../../platform/index.ts';
import { acceptDelivery, type Refusal } from './accept-delivery.ts';
import { GroupCommit } from './group-commit.ts';
import { storageRefusal, WebhookIntake } from './intake-worker.ts';
import { notifyDeliveryStored } from './notify.ts';
import { insertDeliveries } from './webhook.repository.ts';

const intakes = new WeakMap<AppContext, WebhookIntake>();
const committers = new WeakMap<AppContext, GroupCommit<WebhookDeliveryTable, void>>();

/** SQLite: the intake worker decides and stores POSTs beside the server's thread (see intake-worker.ts). */
function intakeFor(ctx: AppContext, file: string): WebhookIntake {
  let intake = intakes.get(ctx);
  if (!intake) {
    const made: WebhookIntake = new WebhookIntake({
      file, keyring: ctx.keyring, appSecret: ctx.config.meta.appSecret, now: () => ctx.clock.now(),
      onCommit: (rows) => ctx.metrics.webhookCommitBatch.observe(rows),
      onStop: () => {
        if (intakes.get(ctx) === made) intakes.delete(ctx);
      },
    });
    intakes.set(ctx, (intake = made));
  }
  return intake;
}

/** PostgreSQL: decided on this thread; concurrent POSTs share one insert and commit. */
async function acceptHere(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<Refusal | null> {
  const a = acceptDelivery(ctx.keyring, ctx.config.meta.appSecret, raw, headers, ctx.clock.now());
  if (!a.ok) return a;
  let gc = committers.get(ctx);
  if (!gc) {
    gc = new GroupCommit<WebhookDeliveryTable, void>(
      async (rows) => {
        await ctx.db.transaction().execute((trx) => insertDeliveries(trx, rows));
        return rows.map(() => undefined);
      },
      { maxBatch: 256, onBatch: (size) => ctx.metrics.webhookCommitBatch.observe(size) },
    );
    committers.set(ctx, gc);
  }
  try {
    await gc.submit(a.row);
    return null;
  } catch (err) {
    return storageRefusal(String((err as { code?: unknown }).code ?? (err as Error).name));
  }
}

/**
 * Accepts one webhook POST: checks the signature over the exact bytes, checks it is a Meta envelope, and stores the
 * body encrypted with a keyed hash of it (the processor skips a body it has seen before). Resolves only once the row
 * is committed (shared group commit); storage failure is `storage_unavailable` so Meta retries. Nothing is stored
 * for a refused request.
 */
export async function receiveWebhook(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<void> {
  const file = ctx.database.file;
  const refusal = file ? await intakeFor(ctx, file).accept(raw, headers) : await acceptHere(ctx, raw, headers);
  if (refusal) {
    if ('cause' in refusal) ctx.logger.error({ err: { code: refusal.cause } }, 'webhook delivery could not be stored');
    ctx.metrics.webhookDeliveries.inc({ outcome: refusal.outcome });
    throw new AppError(refusal.code, refusal.message);
  }
  ctx.metrics.webhookStored.inc();
  notifyDeliveryStored(ctx);
}
