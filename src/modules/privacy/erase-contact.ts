import type { AppContext } from '../../kernel/context.ts';
import { webhookBodyField } from '../../db/tables/conversations.ts';
import { zeroFreedPages } from '../../db/secure-delete.ts';
import { checkpointWal } from '../../db/wal.ts';
import type { Executor } from '../../db/types.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { mergeGroupIds } from '../contacts/contacts.repository.ts';
import type { FieldContext } from '../../crypto/index.ts';
import {
  contactlessRawEvents,
  deleteContactRows,
  postIdsOfContact,
  dropRawEvents,
  failedPostBodies,
  personalTables,
  psidCiphertexts,
  purgePostBodies,
} from './personal-data.repository.ts';
import { clearRequestData } from './privacy.repository.ts';
import { openIntakeBody, rotateIntakeKey } from './intake-keys.ts';

/** What an erasure removed: the counts the tombstone keeps (no personal data). */
export interface ErasureCounts {
  tables: Record<string, number>;
  /** Raw webhook bodies dropped, and raw copies of events that named the person without a contact. */
  raw_deliveries: number;
  request_exports: number;
  key_destroyed: boolean;
}

/**
 * Removes every piece of personal data held about the person: for the contact and every record merged with it
 * (`mergeGroupIds`), their rows in every personal-data table of the registry, the raw webhook bodies that carried
 * their events, the exports of their requests, and finally their data keys, which leaves any older copy of their
 * fields (backups included) undecryptable. Idempotent: a second run finds nothing and changes nothing.
 * `inTransaction` runs inside the same transaction as the deletions (for the caller's audit row and tombstone).
 */
export async function eraseContactData(
  ctx: AppContext,
  contactId: string,
  inTransaction: (trx: Executor, counts: ErasureCounts) => Promise<void> = async () => {},
): Promise<ErasureCounts> {
  // Zeroes freed pages and cells, so deleted ciphertexts and blind indexes do not linger in the database file.
  await zeroFreedPages(ctx.database);
  let records: string[] = [contactId];
  const counts = await ctx.db.transaction().execute(async (trx) => {
    records = await mergeGroupIds(trx, contactId);
    const c: ErasureCounts = { tables: {}, raw_deliveries: 0, request_exports: 0, key_destroyed: false };
    for (const id of records) c.raw_deliveries += await purgePostBodies(trx, await postIdsOfContact(trx, id));
    const raw = await rawDataNaming(ctx, trx, records);
    c.raw_deliveries += (await purgePostBodies(trx, raw.deliveries)) + (await dropRawEvents(trx, raw.events));
    // Table by table (the contacts table last), every record of the person.
    for (const p of personalTables()) {
      c.tables[p.table] = 0;
      for (const id of records) c.tables[p.table]! += await deleteContactRows(trx, p, id);
    }
    for (const id of records) c.request_exports += await clearRequestData(trx, id);
    await inTransaction(trx, c);
    return c;
  });
  // After the commit: had the deletions failed, the data would still be there and must stay readable.
  const now = ctx.clock.now();
  for (const id of records) counts.key_destroyed = ctx.contactKeys.destroy(id, now) || counts.key_destroyed;
  // A writer that still held a record (ingest on another connection) may have added a row between the commit and
  // the key's destruction; nothing can be sealed for it any more, so one more sweep ends it.
  await ctx.db.transaction().execute(async (trx) => {
    for (const p of personalTables())
      for (const id of records) counts.tables[p.table]! += await deleteContactRows(trx, p, id);
  });
  // Copies of raw bodies outlive their rows (in rebalanced SQLite pages, in backups); what makes them unreadable is
  // the destruction of the intake key they were sealed under. A new key takes over now, and the old one goes at once
  // when no body is left under it, else as soon as the bodies still waiting are processed (the person's kept bodies
  // were dropped above; others' kept bodies are sealed again under the new key).
  await rotateIntakeKey(ctx);
  // Old page images stay in the WAL until a checkpoint; TRUNCATE also empties the file. Best effort: a reader in
  // another process may hold it back, and the next checkpoint finishes the job.
  await checkpointWal(ctx.database);
  return counts;
}

/**
 * Raw data kept without a contact that names one of the person's PSIDs: bodies whose processing failed (kept until
 * the retention) and raw copies of events applied to no contact on the person's Pages. Read before the person's key
 * is destroyed, while their PSIDs can still be opened; both are few.
 */
async function rawDataNaming(
  ctx: AppContext,
  trx: Executor,
  records: readonly string[],
): Promise<{ deliveries: string[]; events: string[] }> {
  const psids: string[] = [];
  const pages = new Set<string>();
  for (const r of await psidCiphertexts(trx, records)) {
    pages.add(r.page_id);
    try {
      psids.push(
        `"${openContactField(ctx, r.id, r.psid_enc, { table: 'contacts', column: 'psid_enc', pageId: r.page_id, rowId: r.id })}"`,
      );
    } catch {
      // Already unreadable (an earlier erasure of this record): nothing of it can be matched, or read.
    }
  }
  if (psids.length === 0) return { deliveries: [], events: [] };
  const keyringOnly = (s: string, f: FieldContext) => ctx.keyring.decrypt(s, f);
  const names = (sealed: string, field: FieldContext, open = keyringOnly) => {
    try {
      const plain = open(sealed, field);
      return psids.some((p) => plain.includes(p));
    } catch {
      return false;
    }
  };
  const openBody = (s: string, f: FieldContext) => openIntakeBody(ctx, s, f).toString('utf8');
  const deliveryField = webhookBodyField;
  const deliveries = (await failedPostBodies(trx)).filter((d) => names(d.body_enc, deliveryField(d.id), openBody));
  const events = (await contactlessRawEvents(trx, [...pages])).filter((e) =>
    names(e.raw_enc, { table: 'webhook_events', column: 'raw_enc', pageId: e.page_id || null, rowId: e.id }),
  );
  return { deliveries: deliveries.map((d) => d.id), events: events.map((e) => e.id) };
}

/** Total rows an erasure touched, for logs and metrics. */
export function erasedRowCount(c: ErasureCounts): number {
  return Object.values(c.tables).reduce((a, n) => a + n, 0) + c.raw_deliveries + c.request_exports;
}
