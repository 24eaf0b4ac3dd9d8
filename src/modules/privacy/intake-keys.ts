// Intake keys: the policy. Raw webhook bodies are sealed under the current intake key (intake-body.ts); a key stops
// being current at each erasure and once it is INTAKE_KEY_LIFE_MS old, and is destroyed as soon as no row holds a
// body under it: processing drops a body at once; bodies kept on purpose (failed ones, until the raw retention) are
// sealed again under the current key first. So every copy of a body SQLite leaves behind (in the unused space of
// rebalanced pages, in the WAL, in a backup) becomes unreadable once the key it was sealed under is gone.
//
// Who may seal: the server's thread (PostgreSQL), the spool's mover and the intake worker (SQLite, threads given the
// key by message), in this process or another on the same data. A key is never destroyed while a body may still be
// stored under it: the transaction that stores bodies checks their key in `intake_keys` (PostgreSQL: and holds its row
// FOR SHARE) and fails with IntakeKeyRetired once it is retired; the writer seals again under the current key. A key is
// retired (in a transaction of its own, which waits for those holds) before the rows under it are counted.
import { webhookBodyField } from '../../db/tables/conversations.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { FieldContext } from '../../crypto/index.ts';
import type { Executor } from '../../db/types.ts';
import { IntakeKeyRetired, openIntakeLayer, sealIntakeBody, type IntakeKey } from './intake-body.ts';
import {
  anyIntakeKeyRetired,
  intakeKeysHoldingBodies,
  keptBodiesUnder,
  listIntakeKeys,
  replaceKeptBody,
  retireIntakeKeysBefore,
} from './intake-keys.repository.ts';

/** How long a key is current before a new one takes over, so that no key lives long. */
export const INTAKE_KEY_LIFE_MS = 60 * 60_000;
const RESEAL_BATCH = 200;

const bodyField = (rowId: string): FieldContext => webhookBodyField(rowId);

/** The key new bodies are sealed under (the store's newest; one is made when there is none). */
export function currentIntakeKey(ctx: AppContext): IntakeKey {
  return ctx.contactKeys.currentIntakeKey(ctx.clock.now());
}

/** Decrypts a stored raw body (intake key, or keyring only for a body stored before intake keys). */
export function openIntakeBody(ctx: AppContext, ciphertext: string, field: FieldContext): Buffer {
  return openIntakeLayer(ctx.keyring.decryptBuffer(ciphertext, field), (id) => ctx.contactKeys.intakeKey(id), field);
}

/**
 * In the transaction that stores bodies sealed under `ids`: lists the keys if new, and throws IntakeKeyRetired when
 * one of them is retired. On PostgreSQL it holds their rows (FOR SHARE) until the commit, so a retirement waits for
 * the bodies being stored, and the count of bodies that precedes a key's destruction sees them.
 */
export async function holdIntakeKeys(
  trx: Executor,
  postgres: boolean,
  ids: readonly string[],
  now: number,
): Promise<void> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return;
  await listIntakeKeys(
    trx,
    distinct.map((id) => ({ id, retired_at: null })),
    now,
  );
  if (await anyIntakeKeyRetired(trx, distinct, postgres)) throw new IntakeKeyRetired();
}

/** Makes a new intake key current (at each erasure), then retires and destroys what it can of the older ones. */
export async function rotateIntakeKey(ctx: AppContext): Promise<IntakeKeyPass> {
  ctx.contactKeys.createIntakeKey(ctx.clock.now());
  return maintainIntakeKeys(ctx);
}

export interface IntakeKeyPass {
  /** Keys left in the store (the current one, and old ones still holding unprocessed bodies). */
  live: number;
  destroyed: number;
  resealed: number;
}

/**
 * One pass: a new key when the current one is older than `lifeMs`; every older key retired; the kept (failed) bodies
 * under old keys, or under the keyring alone, sealed again under the current key; and every old key that no row holds
 * a body under destroyed. Idempotent, and safe beside the same pass in another process.
 */
export async function maintainIntakeKeys(ctx: AppContext, lifeMs = INTAKE_KEY_LIFE_MS): Promise<IntakeKeyPass> {
  const store = ctx.contactKeys;
  const now = ctx.clock.now();
  let current = store.currentIntakeKey(now);
  if ((store.intakeKeyList()[0]?.created_at ?? now) <= now - lifeMs) current = store.createIntakeKey(now);
  const old = store
    .intakeKeyList()
    .map((k) => k.id)
    .filter((id) => id < current.id);
  // Retired in its own transaction, so that writers see it before any body under these keys is counted. A key newer
  // than this pass's current one (made meanwhile by another process) is left alone.
  await ctx.db.transaction().execute(async (trx) => {
    await listIntakeKeys(
      trx,
      [...old.map((id) => ({ id, retired_at: now })), { id: current.id, retired_at: null }],
      now,
    );
    await retireIntakeKeysBefore(trx, current.id, now);
  });
  const resealed = await resealKeptBodies(ctx, current, old);
  const held = await intakeKeysHoldingBodies(ctx.db, old);
  const destroyed = store.destroyIntakeKeys(old.filter((id) => !held.has(id)));
  const live = store.intakeKeyList().length;
  ctx.metrics.intakeKeys.set(live);
  return { live, destroyed, resealed };
}

/**
 * Destroys the old intake keys whose bodies are all processed, when there are any (a look at the key store first, so
 * the processor can call it whenever it has caught up): an erasure's old key goes as soon as the bodies that were
 * still waiting under it are processed.
 */
export async function destroyDrainedIntakeKeys(ctx: AppContext): Promise<void> {
  if (ctx.contactKeys.intakeKeyList().length > 1) await maintainIntakeKeys(ctx);
}

/**
 * Seals the bodies kept on purpose (failed deliveries, until the raw retention) again under `current`: those under
 * the `old` keys, and those stored before intake keys (keyring only). Pending bodies are left to processing, which
 * drops them. Returns how many were sealed again.
 */
async function resealKeptBodies(ctx: AppContext, current: IntakeKey, old: readonly string[]): Promise<number> {
  const postgres = ctx.database.dialect === 'postgres';
  let after = '';
  let n = 0;
  for (;;) {
    const rows = await keptBodiesUnder(ctx.db, old, after, RESEAL_BATCH);
    if (rows.length === 0) return n;
    after = rows[rows.length - 1]!.id;
    try {
      n += await ctx.db.transaction().execute(async (trx) => {
        await holdIntakeKeys(trx, postgres, [current.id], ctx.clock.now());
        let done = 0;
        for (const r of rows) {
          let plain: Buffer;
          try {
            plain = openIntakeBody(ctx, r.body_enc!, bodyField(r.id));
          } catch {
            continue; // Unreadable already: nothing to keep readable.
          }
          const sealed = sealIntakeBody(ctx.keyring, current, plain, bodyField(r.id));
          plain.fill(0);
          if (await replaceKeptBody(trx, r.id, r.body_enc!, sealed, current.id)) done++;
        }
        return done;
      });
    } catch (err) {
      // Another process made a newer key current meanwhile: its own pass (or the next one here) finishes the job.
      if (err instanceof IntakeKeyRetired) return n;
      throw err;
    }
  }
}
