import { dirname } from 'node:path';
import type { AppContext } from '../../app/context.ts';
import { AppError, errorCode } from '../../errors.ts';
import type { SignatureHeaders } from '../../platform/index.ts';
import { IntakeKeyRetired } from '../privacy/intake-body.ts';
import { currentIntakeKey, holdIntakeKeys } from '../privacy/intake-keys.ts';
import { checkDelivery, deliveryRow, signatureDigest, storageRefusal, type Refusal } from './accept-delivery.ts';
import { GroupCommit } from '../../intake/group-commit.ts';
import { WebhookIntake } from '../../intake/intake-worker.ts';
import { WebhookSpool } from '../../intake/spool.ts';
import { notifyDeliveryStored } from './notify.ts';
import { insertDeliveries } from './webhook.repository.ts';

const spools = new WeakMap<AppContext, WebhookSpool>();
const intakes = new WeakMap<AppContext, WebhookIntake>();

/** Whether this app keeps a webhook spool at all: SQLite, with PAGESCOPE_WEBHOOK_SPOOL_MB above 0. */
export const spoolConfigured = (ctx: AppContext): ctx is AppContext & { database: { file: string } } =>
  ctx.database.file !== null && ctx.config.webhookSpoolBytes > 0;

/** Opens the spool of the app's data dir with its metrics and logging; null when another live process holds it. */
async function openSpool(ctx: AppContext & { database: { file: string } }): Promise<WebhookSpool | null> {
  const progress = await ctx.db.selectFrom('webhook_spool').select(['seq', 'position']).where('id', '=', 1).executeTakeFirst();
  let spool: WebhookSpool | null = null;
  const gauge = () => ctx.metrics.webhookSpoolUnmoved.set(spool?.unmovedBytes ?? 0);
  spool = await WebhookSpool.open({
    dataDir: dirname(ctx.database.file), file: ctx.database.file, bytes: ctx.config.webhookSpoolBytes,
    keyring: ctx.keyring, intakeKey: () => currentIntakeKey(ctx), appSecret: ctx.config.meta.appSecret,
    now: () => ctx.clock.now(),
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
  if (spool) ctx.metrics.webhookSpoolBytes.set(spool.sizeBytes);
  gauge();
  return spool;
}

const retries = new WeakMap<AppContext, NodeJS.Timeout>();
/** The retry open under way, if any: closing waits for it, so a spool taken meanwhile is let go before close ends. */
const attempts = new WeakMap<AppContext, Promise<unknown>>();

/**
 * Opens the webhook spool of this app (SQLite, unless PAGESCOPE_WEBHOOK_SPOOL_MB is 0) and starts moving what an
 * earlier run acknowledged and did not move. The server calls it once, before it takes traffic. Without a spool
 * (PostgreSQL, or switched off) POSTs are stored straight into the database; so they are while another live process
 * holds the spool, and the spool is tried again every `retryMs` until it is free.
 */
export async function openWebhookSpool(ctx: AppContext, retryMs = 5000): Promise<void> {
  if (!spoolConfigured(ctx) || spools.has(ctx) || retries.has(ctx)) return;
  const spool = await openSpool(ctx);
  if (spool) return void spools.set(ctx, spool);
  ctx.logger.warn('the webhook spool is held by another live process: this one stores each POST straight into the database until it is free');
  let trying = false;
  const retry = setInterval(() => {
    if (trying) return;
    trying = true;
    const attempt = openSpool(ctx)
      .then((taken) => {
        if (!taken) return;
        // Closed meanwhile: the spool goes back at once.
        if (retries.get(ctx) !== retry) return taken.close();
        clearInterval(retry);
        retries.delete(ctx);
        spools.set(ctx, taken);
        ctx.logger.info('the webhook spool is free again: POSTs are answered from it');
      })
      .catch((err: unknown) => ctx.logger.error({ err: { code: errorCode(err) } }, 'the webhook spool could not be opened; trying again'))
      .finally(() => (trying = false));
    attempts.set(ctx, attempt);
  }, retryMs);
  retry.unref();
  retries.set(ctx, retry);
}

/**
 * Stops storing this app's webhooks: the spool (POSTs written are moved first, within a grace period; what is left is
 * moved at the next start) and the intake worker with its database connection.
 */
export async function closeWebhookIntake(ctx: AppContext): Promise<void> {
  clearInterval(retries.get(ctx));
  retries.delete(ctx);
  // An open still under way (it wipes the ring first) gives the spool back once it ends: wait for that too.
  await attempts.get(ctx);
  attempts.delete(ctx);
  const spool = spools.get(ctx);
  spools.delete(ctx);
  const intake = intakes.get(ctx);
  intakes.delete(ctx);
  await Promise.all([spool?.close(), intake?.close()]);
}

/**
 * For a process without the web role (SQLite): moves into the database what a web process answered from the spool
 * and had not moved when it stopped, if no live process holds the spool now; without it those deliveries would wait
 * for the next web process to start. Opens only a ring that exists, and lets it go once moved (within `graceMs`; what
 * is left stays for the next try). Returns the records moved.
 */
export async function rescueWebhookSpool(ctx: AppContext, graceMs = 30_000): Promise<number> {
  if (!spoolConfigured(ctx) || spools.has(ctx) || !WebhookSpool.ringExists(dirname(ctx.database.file))) return 0;
  const spool = await openSpool(ctx);
  if (!spool) return 0;
  const records = spool.recoveredRecords;
  await spool.close(graceMs);
  if (records > 0) ctx.logger.warn({ records }, 'moved webhook deliveries that a stopped web process had answered from the spool and not moved');
  return records;
}

/**
 * Why this app's webhook could not store a POST now, or null when it can: the app secret is missing, or the thread
 * that stores POSTs on SQLite (the spool's mover, else the intake worker) is still starting or could not start. On
 * PostgreSQL POSTs are stored from this thread, so the database answering is enough. Answers at once: a probe must.
 */
export async function webhookStorageProblem(ctx: AppContext): Promise<string | null> {
  if (!ctx.config.meta.appSecret) return 'webhook_secret_missing';
  const spool = spools.get(ctx);
  const spoolState = spool === undefined || spool.stopped ? 'failed' : spool.threadState();
  if (spoolState !== 'failed') return spoolState === 'ready' ? null : 'webhook_storage_starting';
  const file = ctx.database.file;
  if (file === null) return null;
  const state = intakeFor(ctx, file).threadState();
  if (state === 'ready') {
    intakeFailures.delete(ctx);
    return null;
  }
  return state === 'starting' && !intakeFailures.has(ctx) ? 'webhook_storage_starting' : 'webhook_storage_failed';
}

/** Resolves once every POST the spool acknowledged so far is a row of webhook_deliveries. */
export async function webhookSpoolSettled(ctx: AppContext): Promise<void> {
  await spools.get(ctx)?.settled();
}
/** Apps whose intake worker stopped: readiness says failed, not starting, until a new one is ready. */
const intakeFailures = new WeakSet<AppContext>();
/** A taken POST waiting for its group's commit: sealed there, under the intake key current at that moment. */
type Taken = { raw: Buffer; digest: string; now: number };
const committers = new WeakMap<AppContext, GroupCommit<Taken, void>>();

/** SQLite: the intake worker decides and stores POSTs beside the server's thread (see intake-worker.ts). */
function intakeFor(ctx: AppContext, file: string): WebhookIntake {
  let intake = intakes.get(ctx);
  if (!intake) {
    const made: WebhookIntake = new WebhookIntake({
      file, keyring: ctx.keyring, intakeKey: () => currentIntakeKey(ctx), appSecret: ctx.config.meta.appSecret,
      now: () => ctx.clock.now(),
      onCommit: (rows) => ctx.metrics.webhookCommitBatch.observe(rows),
      onStop: () => {
        if (intakes.get(ctx) === made) intakes.delete(ctx);
        intakeFailures.add(ctx);
      },
    });
    intakes.set(ctx, (intake = made));
  }
  return intake;
}

/**
 * Stores a group's POSTs under the current intake key, holding it until the commit; once more under the next one when
 * it was retired meanwhile (another process rotated it).
 */
async function storeTaken(ctx: AppContext, taken: Taken[], retried = false): Promise<void> {
  const intake = currentIntakeKey(ctx);
  const rows = taken.map((t) => deliveryRow(ctx.keyring, intake, t.raw, t.digest, t.now));
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertDeliveries(trx, rows);
      await holdIntakeKeys(trx, ctx.database.dialect === 'postgres', [intake.id], ctx.clock.now());
    });
  } catch (err) {
    if (retried || !(err instanceof IntakeKeyRetired)) throw err;
    await storeTaken(ctx, taken, true);
  }
}

/** PostgreSQL: decided on this thread; concurrent POSTs share one insert and commit. */
async function acceptHere(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<Refusal | null> {
  const refusal = checkDelivery(ctx.config.meta.appSecret, raw, headers);
  if (refusal) return refusal;
  let gc = committers.get(ctx);
  if (!gc) {
    gc = new GroupCommit<Taken, void>(
      async (taken) => {
        await storeTaken(ctx, taken);
        return taken.map(() => undefined);
      },
      { maxBatch: 256, onBatch: (size) => ctx.metrics.webhookCommitBatch.observe(size) },
    );
    committers.set(ctx, gc);
  }
  try {
    await gc.submit({ raw, digest: signatureDigest(headers), now: ctx.clock.now() });
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
