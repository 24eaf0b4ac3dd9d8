import { dirname } from 'node:path';
import type { AppContext } from '../kernel/context.ts';
import { errorCode } from '../errors.ts';
import { currentIntakeKey } from '../modules/privacy/intake-keys.ts';
import type { SignatureHeaders } from '../platform/index.ts';
import { WebhookSpool } from './spool.ts';
import { SqliteThreadIntake } from './thread-intake.ts';
import { asAnswer, type Accepted, type Refusal, type WebhookIntake } from '../kernel/webhook-intake.ts';

/** Whether this app keeps a webhook spool at all: SQLite, with PAGESCOPE_WEBHOOK_SPOOL_MB above 0. */
export const spoolConfigured = (ctx: AppContext): ctx is AppContext & { database: { file: string } } =>
  ctx.database.file !== null && ctx.config.webhookSpoolBytes > 0;

type SpoolApp = AppContext & { database: { file: string } };

/** Opens the spool of the app's data dir with its metrics and logging; null when another live process holds it. */
async function openSpool(ctx: SpoolApp, onMoved: () => void): Promise<WebhookSpool | null> {
  const progress = await ctx.db
    .selectFrom('webhook_spool')
    .select(['seq', 'position'])
    .where('id', '=', 1)
    .executeTakeFirst();
  let spool: WebhookSpool | null = null;
  const gauge = () => ctx.metrics.webhookSpoolUnmoved.set(spool?.unmovedBytes ?? 0);
  spool = await WebhookSpool.open({
    dataDir: dirname(ctx.database.file),
    file: ctx.database.file,
    bytes: ctx.config.webhookSpoolBytes,
    keyring: ctx.keyring,
    intakeKey: () => currentIntakeKey(ctx),
    appSecret: ctx.config.meta.appSecret,
    now: () => ctx.clock.now(),
    progress: progress ?? { seq: 0, position: 0 },
    onWritten: (posts) => {
      ctx.metrics.webhookCommitBatch.observe(posts);
      gauge();
    },
    onMoved: () => {
      gauge();
      onMoved();
    },
    onMoveFailed: (code) =>
      ctx.logger.error({ err: { code } }, 'webhook spool: deliveries could not be moved into the database; retrying'),
  });
  if (spool) ctx.metrics.webhookSpoolBytes.set(spool.sizeBytes);
  gauge();
  return spool;
}

/**
 * SQLite with the spool (the web role's default): a POST is answered once it is in the spool's ring, and the spool's
 * mover commits it into webhook_posts after. While another live process holds the spool, or once this one
 * stopped (a write failed, the mover died), POSTs go to the intake thread instead, and the spool is tried again every
 * `retryMs` until it is free.
 */
export class SpoolIntake implements WebhookIntake {
  readonly kind = 'spool';
  #spool: WebhookSpool | null = null;
  #retry: NodeJS.Timeout | null = null;
  /** The retry open under way, if any: closing waits for it, so a spool taken meanwhile is let go before close ends. */
  #attempt: Promise<unknown> | null = null;
  readonly #direct: SqliteThreadIntake;

  private constructor(
    private readonly ctx: SpoolApp,
    private readonly onStored: () => void,
  ) {
    this.#direct = new SqliteThreadIntake(ctx, onStored);
  }

  /** Opens the spool and starts moving what an earlier run acknowledged and did not move. */
  static async open(ctx: SpoolApp, onStored: () => void, retryMs = 5000): Promise<SpoolIntake> {
    const intake = new SpoolIntake(ctx, onStored);
    intake.#spool = await openSpool(ctx, onStored);
    if (!intake.#spool) intake.#retryEvery(retryMs);
    return intake;
  }

  #retryEvery(retryMs: number): void {
    const ctx = this.ctx;
    ctx.logger.warn(
      'the webhook spool is held by another live process: this one stores each POST straight into the database until it is free',
    );
    let trying = false;
    const retry = setInterval(() => {
      if (trying) return;
      trying = true;
      this.#attempt = openSpool(ctx, this.onStored)
        .then((taken) => {
          if (!taken) return;
          // Closed meanwhile: the spool goes back at once.
          if (this.#retry !== retry) return taken.close();
          clearInterval(retry);
          this.#retry = null;
          this.#spool = taken;
          ctx.logger.info('the webhook spool is free again: POSTs are answered from it');
        })
        .catch((err: unknown) =>
          ctx.logger.error({ err: { code: errorCode(err) } }, 'the webhook spool could not be opened; trying again'),
        )
        .finally(() => (trying = false));
    }, retryMs);
    retry.unref();
    this.#retry = retry;
  }

  accept(raw: Buffer, headers: SignatureHeaders): Promise<Accepted | Refusal> {
    const spool = this.#spool;
    // One promise step per POST: Meta's bursts make each one count (a spooled POST wakes the processor once moved).
    if (spool !== null && !spool.stopped) return spool.accept(raw, headers).then(asAnswer);
    return this.#direct.accept(raw, headers);
  }

  /** Resolves once every POST the spool acknowledged so far is a row of webhook_posts. */
  async settled(): Promise<void> {
    await this.#spool?.settled();
  }

  /** The spool's mover starting or ready; else (no spool, or it stopped) the intake thread's state. */
  problem(): string | null {
    const spool = this.#spool;
    const state = spool === null || spool.stopped ? 'failed' : spool.threadState();
    if (state !== 'failed') return state === 'ready' ? null : 'webhook_storage_starting';
    return this.#direct.problem();
  }

  /** POSTs written are moved first, within a grace period; what is left is moved at the next start. */
  async close(): Promise<void> {
    if (this.#retry) clearInterval(this.#retry);
    this.#retry = null;
    // An open still under way (it wipes the ring first) gives the spool back once it ends: wait for that too.
    await this.#attempt;
    const spool = this.#spool;
    this.#spool = null;
    await Promise.all([spool?.close(), this.#direct.close()]);
  }
}

/**
 * For a process without the web role (SQLite): moves into the database what a web process answered from the spool
 * and had not moved when it stopped, if no live process holds the spool now; without it those deliveries would wait
 * for the next web process to start. Opens only a ring that exists, and lets it go once moved (within `graceMs`; what
 * is left stays for the next try). Returns the records moved.
 */
export async function rescueWebhookSpool(ctx: AppContext, onMoved: () => void, graceMs = 30_000): Promise<number> {
  if (!spoolConfigured(ctx) || ctx.intake.kind === 'spool' || !WebhookSpool.ringExists(dirname(ctx.database.file)))
    return 0;
  const spool = await openSpool(ctx, onMoved);
  if (!spool) return 0;
  const records = spool.recoveredRecords;
  await spool.close(graceMs);
  if (records > 0)
    ctx.logger.warn(
      { records },
      'moved webhook deliveries that a stopped web process had answered from the spool and not moved',
    );
  return records;
}
