import type { AppContext } from '../kernel/context.ts';
import { currentIntakeKey } from '../modules/privacy/intake-keys.ts';
import type { SignatureHeaders } from '../platform/index.ts';
import { IntakeThread } from './intake-worker.ts';
import { asAnswer, type Accepted, type Refusal, type WebhookIntake } from '../kernel/webhook-intake.ts';

/**
 * SQLite without the spool (switched off, or held by another process): each POST is decided and committed by the
 * intake thread (intake-worker.ts), beside the server's thread. The thread starts at the first POST or readiness
 * probe, and a new one replaces a thread that stopped.
 */
export class SqliteThreadIntake implements WebhookIntake {
  readonly kind = 'sqlite-thread';
  #thread: IntakeThread | null = null;
  /** The last thread stopped: readiness says failed, not starting, until a new one is ready. */
  #failed = false;
  #closed = false;

  constructor(
    private readonly ctx: AppContext & { database: { file: string } },
    private readonly onStored: () => void,
  ) {}

  #current(): IntakeThread {
    if (this.#thread) return this.#thread;
    const ctx = this.ctx;
    const made: IntakeThread = new IntakeThread({
      // The app's database file as it is when the thread starts.
      file: ctx.database.file,
      lockWaiters: ctx.database.lockWaiters?.buffer ?? null,
      keyring: ctx.keyring,
      intakeKey: () => currentIntakeKey(ctx),
      appSecret: ctx.config.meta.appSecret,
      now: () => ctx.clock.now(),
      onCommit: (rows) => ctx.metrics.webhookCommitBatch.observe(rows),
      onStop: () => {
        if (this.#thread === made) this.#thread = null;
        this.#failed = true;
      },
    });
    return (this.#thread = made);
  }

  accept(raw: Buffer, headers: SignatureHeaders): Promise<Accepted | Refusal> {
    if (this.#closed)
      return Promise.resolve(
        asAnswer({
          outcome: 'storage_error',
          code: 'storage_unavailable',
          message: 'the delivery could not be stored; Meta will retry',
        }),
      );
    return this.#current()
      .accept(raw, headers)
      .then((refusal) => {
        if (!refusal) this.onStored();
        return asAnswer(refusal);
      });
  }

  /** Committed is settled: the thread answers a POST only once its row is on disk. */
  settled(): Promise<void> {
    return Promise.resolve();
  }

  problem(): string | null {
    if (this.#closed) return 'webhook_storage_failed';
    const state = this.#current().threadState();
    if (state === 'ready') {
      this.#failed = false;
      return null;
    }
    return state === 'starting' && !this.#failed ? 'webhook_storage_starting' : 'webhook_storage_failed';
  }

  async close(): Promise<void> {
    this.#closed = true;
    const thread = this.#thread;
    this.#thread = null;
    await thread?.close();
  }
}
