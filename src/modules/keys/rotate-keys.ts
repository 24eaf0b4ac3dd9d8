import type { AppContext } from '../../kernel/context.ts';
import { Keyring, rewrapAll, type RewrapProgress, type RewrapResult, type RewrapSource } from '../../crypto/index.ts';
import { ciphertextColumns } from '../../db/classification.ts';
import type { Actor } from '../access/actor.ts';
import { assertCan } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import {
  ciphertextBatch,
  countCiphertextsOfVersion,
  deleteMeta,
  getMeta,
  insertKeyVersion,
  latestKeyVersion,
  replaceCiphertext,
  setMeta,
} from './keys.repository.ts';
import { refreshKeyring } from './keyring-store.ts';

const PENDING = 'rotation_pending';

/** One re-wrap source per ciphertext column in the data-classification registry. */
function sources(ctx: AppContext): RewrapSource[] {
  return ciphertextColumns().map((c) => ({
    name: `${c.table}.${c.column}`,
    nextBatch: async (after, limit) =>
      (await ciphertextBatch(ctx.db, c, after, limit)).map((r) => ({
        key: r.id,
        ciphertext: r.value,
        ctx: { table: c.sealedAs, column: c.column, pageId: r.pageId, rowId: r.id },
      })),
    write: async (rows) => {
      let n = 0;
      await ctx.db.transaction().execute(async (trx) => {
        for (const r of rows) n += await replaceCiphertext(trx, c, r.key, r.expected, r.ciphertext);
      });
      return n;
    },
  }));
}

/**
 * Adds a new key version and makes it current for this process; other processes pick it up on their next key
 * refresh. Marks a re-wrap as pending so any worker can finish it if this process stops. Audited.
 */
export async function addKeyVersion(ctx: AppContext, actor: Actor, master: Buffer): Promise<number> {
  assertCan(actor, 'tokens:manage');
  const now = ctx.clock.now();
  const version = await ctx.db.transaction().execute(async (trx) => {
    const next = (await latestKeyVersion(trx)) + 1;
    await insertKeyVersion(trx, { ...Keyring.wrapNewVersion(master, next), createdAt: now });
    await setMeta(trx, PENDING, String(next));
    await appendAudit(trx, actor, { action: 'keys.rotate', subjectType: 'key_version', subjectId: String(next) }, now);
    return next;
  });
  await refreshKeyring(ctx.db, ctx.keyring);
  return version;
}

/**
 * Re-encrypts every ciphertext under the current version, in batches with compare-and-set writes: safe beside live
 * traffic, resumable after any stop. Clears the pending mark only when a full pass found nothing left.
 */
export async function rewrapPending(
  ctx: AppContext,
  opts: { onProgress?: (p: RewrapProgress) => void; signal?: AbortSignal } = {},
): Promise<RewrapResult | null> {
  if ((await getMeta(ctx.db, PENDING)) === undefined) return null;
  await refreshKeyring(ctx.db, ctx.keyring);
  const result = await rewrapAll(ctx.keyring, sources(ctx), { batchSize: 500, maxPasses: 20, ...opts });
  // The per-contact keys live outside the database, wrapped by the keyring: they move to the new version too.
  if (!result.aborted) result.rewrapped += ctx.contactKeys.rewrapAll();
  if (result.completed) {
    const stale = (await keyStatus(ctx)).filter((v) => v.version !== ctx.keyring.currentVersion && v.rows > 0);
    if (stale.length === 0) await deleteMeta(ctx.db, PENDING);
  }
  ctx.metrics.keyRewrapRemaining.set(
    (await keyStatus(ctx)).filter((v) => v.version !== ctx.keyring.currentVersion).reduce((a, v) => a + v.rows, 0),
  );
  return result;
}

/** How many stored ciphertexts (database columns and per-contact keys) each key version still protects. */
export async function keyStatus(ctx: AppContext): Promise<{ version: number; rows: number; current: boolean }[]> {
  await refreshKeyring(ctx.db, ctx.keyring);
  const out = [];
  for (const version of ctx.keyring.versions()) {
    let rows = 0;
    for (const c of ciphertextColumns()) rows += await countCiphertextsOfVersion(ctx.db, c.table, c.column, version);
    rows += ctx.contactKeys.countByVersion(version);
    out.push({ version, rows, current: version === ctx.keyring.currentVersion });
  }
  return out;
}

export async function rotationPending(ctx: AppContext): Promise<boolean> {
  return (await getMeta(ctx.db, PENDING)) !== undefined;
}
