import { dirname } from 'node:path';
import type { AppContext } from '../../app/context.ts';
import type { WebhookDeliveryTable } from '../../db/tables/conversations.ts';
import { AppError, errorCode } from '../../errors.ts';
import type { SignatureHeaders } from '../../platform/index.ts';
import { acceptDelivery, storageRefusal, type Refusal } from './accept-delivery.ts';
import { GroupCommit } from './group-commit.ts';
import { WebhookIntake } from './intake-worker.ts';
import { WebhookSpool } from './spool.ts';
import { notifyDeliveryStored } from './notify.ts';
import { insertDeliveries } from './webhook.repository.ts';

const spools = new WeakMap<AppContext, WebhookSpool>();
const intakes = new WeakMap<AppContext, WebhookIntake>();

/**
 * Opens the webhook spool of this app (SQLite, unless PAGESCOPE_WEBHOOK_SPOOL_MB is 0) and starts moving what an
 * earlier run acknowledged and did not move. The server calls it once, before it takes traffic. Without a spool
 * (PostgreSQL, switched off, or held by another live process) POSTs are stored straight into the database.
 */
export async function openWebhookSpool(ctx: AppContext): Promise<void> {
  if (!ctx.database.file || ctx.config.webhookSpoolBytes === 0 || spools.has(ctx)) return;
  const progress = await ctx.db.selectFrom('webhook_spool').select(['seq', 'position']).where('id', '=', 1).executeTakeFirst();
  let spool: WebhookSpool | null = null;
  const gauge = () => ctx.metrics.webhookSpoolUnmoved.set(spool?.unmovedBytes ?? 0);
  spool = await WebhookSpool.open({
    dataDir: dirname(ctx.database.file), file: ctx.database.file, bytes: ctx.config.webhookSpoolBytes,
    keyring: ctx.keyring, appSecret: ctx.config.meta.appSecret, now: () => ctx.clock.now(),
    progress: progress ?? { seq: 0, position: 0 },
    onWritten: (posts) => {
      ctx.metrics.webhookCommitBatch.observe(posts);
      gauge();
    },
    onMoved: () => {
      gauge();
      notifyDeliveryStored(ctx);
    },
    onMoveFailed: (code) => ctx.logger.error({ err: { code } }, 'webhook spool: deliveries could not be moved into the database; retrying'),
  });
  if (!spool) {
    ctx.logger.warn('the webhook spool is held by another live process: this one stores each POST straight into the database');
    return;
  }
  spools.set(ctx, spool);
  ctx.metrics.webhookSpoolBytes.set(spool.sizeBytes);
  gauge();
}

/** Stops the spool: POSTs written are moved first (within a grace period; what is left is moved at the next start). */
export async function closeWebhookSpool(ctx: AppContext): Promise<void> {
  const spool = spools.get(ctx);
  spools.delete(ctx);
  await spool?.close();
}

/** Resolves once every POST the spool acknowledged so far is a row of webhook_deliveries. */
export async function webhookSpoolSettled(ctx: AppContext): Promise<void> {
  await spools.get(ctx)?.settled();
}
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
    return storageRefusal(errorCode(err));
  }
}

/**
 * Accepts one webhook POST: checks the signature over the exact bytes, checks it is a Meta envelope, and stores the
 * body encrypted with a keyed hash of it (the processor skips a body it has seen before). Resolves only once the POST
 * is durable: in the spool, or committed as a row (shared group commit); storage failure is `storage_unavailable` so
 * Meta retries. Nothing is stored for a refused request.
 */
export function receiveWebhook(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<void> {
  const spool = spools.get(ctx);
  // One promise step per POST: Meta's bursts make each one count (a spooled POST wakes the processor once moved).
  if (spool !== undefined && !spool.stopped) return spool.accept(raw, headers).then((refusal) => settle(ctx, refusal, false));
  const file = ctx.database.file;
  return (file ? intakeFor(ctx, file).accept(raw, headers) : acceptHere(ctx, raw, headers)).then((refusal) => settle(ctx, refusal, true));
}

/** Counts the POST's outcome; throws the refusal's error, so the route answers it. */
function settle(ctx: AppContext, refusal: Refusal | null, notify: boolean): void {
  if (refusal) {
    if ('cause' in refusal) ctx.logger.error({ err: { code: refusal.cause } }, 'webhook delivery could not be stored');
    ctx.metrics.webhookDeliveries.inc({ outcome: refusal.outcome });
    throw new AppError(refusal.code, refusal.message);
  }
  ctx.metrics.webhookStored.inc();
  if (notify) notifyDeliveryStored(ctx);
}
