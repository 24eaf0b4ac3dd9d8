import type { AppContext } from '../kernel/context.ts';
import { errorCode } from '../errors.ts';
import { checkDelivery, deliveryRow, signatureDigest, storageRefusal } from '../modules/ingest/accept-delivery.ts';
import { insertDeliveries } from '../modules/ingest/webhook.repository.ts';
import { IntakeKeyRetired } from '../modules/privacy/intake-body.ts';
import { currentIntakeKey, holdIntakeKeys } from '../modules/privacy/intake-keys.ts';
import type { SignatureHeaders } from '../platform/index.ts';
import { GroupCommit } from './group-commit.ts';
import { ACCEPTED, type Accepted, type Refusal, type WebhookIntake } from '../kernel/webhook-intake.ts';

/** A taken POST waiting for its group's commit: sealed there, under the intake key current at that moment. */
type Taken = { raw: Buffer; digest: string; now: number };

/**
 * PostgreSQL: each POST is decided on the server's thread, and the POSTs that arrive together share one insert and
 * commit (the database's own connection pool does the waiting, so nothing here blocks the event loop).
 */
export class PostgresGroupCommitIntake implements WebhookIntake {
  readonly kind = 'postgres-group-commit';
  readonly #commits: GroupCommit<Taken, void>;
  #closed = false;
  /** Commits under way: close waits for them, so nothing acknowledged meets a closed pool. */
  #inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly onStored: () => void,
  ) {
    this.#commits = new GroupCommit<Taken, void>(
      async (taken) => {
        await this.#store(taken);
        return taken.map(() => undefined);
      },
      { maxBatch: 256, onBatch: (size) => ctx.metrics.webhookCommitBatch.observe(size) },
    );
  }

  /**
   * Stores a group's POSTs under the current intake key, holding it until the commit; once more under the next one
   * when it was retired meanwhile (another process rotated it).
   */
  async #store(taken: Taken[], retried = false): Promise<void> {
    const ctx = this.ctx;
    const intake = currentIntakeKey(ctx);
    const rows = taken.map((t) => deliveryRow(ctx.keyring, intake, t.raw, t.digest, t.now));
    try {
      await ctx.db.transaction().execute(async (trx) => {
        await insertDeliveries(trx, rows);
        await holdIntakeKeys(trx, true, [intake.id], ctx.clock.now());
      });
    } catch (err) {
      if (retried || !(err instanceof IntakeKeyRetired)) throw err;
      await this.#store(taken, true);
    }
  }

  accept(raw: Buffer, headers: SignatureHeaders): Promise<Accepted | Refusal> {
    const refusal = checkDelivery(this.ctx.config.meta.appSecret, raw, headers);
    if (refusal) return Promise.resolve(refusal);
    if (this.#closed) return Promise.resolve(storageRefusal('intake_closed'));
    const stored = this.#commits.submit({ raw, digest: signatureDigest(headers), now: this.ctx.clock.now() }).then(
      (): Accepted => {
        this.onStored();
        return ACCEPTED;
      },
      (err: unknown) => storageRefusal(errorCode(err)),
    );
    this.#inFlight.add(stored);
    void stored.finally(() => this.#inFlight.delete(stored));
    return stored;
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  /** Stored from this thread: the database answering (its own readiness check) is enough. */
  problem(): string | null {
    return null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }
}
