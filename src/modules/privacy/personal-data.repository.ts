// Registry-driven access to everything a contact owns: which tables and columns come from the data-classification
// registry, never from a list here, so a table added later is exported and erased without touching this file.
import { sql } from 'kysely';
import { CLASSIFICATION, type TableClassification } from '../../db/classification.ts';
import type { Executor } from '../../db/types.ts';

export type Row = Record<string, unknown>;

export interface PersonalTable {
  table: string;
  t: TableClassification & { contactColumn: string };
  /** Other columns pointing at a contact (a link's other end, a merge target). */
  pointers: string[];
}

const POINTER = /(^|_)contact_id$|^merged_into$/;

/** Every table whose registry entry names a contact column, the contacts table itself last. */
export function personalTables(): PersonalTable[] {
  const out: PersonalTable[] = [];
  for (const [table, t] of Object.entries(CLASSIFICATION)) {
    if (t.contactColumn === null) continue;
    const pointers = Object.keys(t.columns).filter(
      (c) => c !== t.contactColumn && t.columns[c] === 'reference' && POINTER.test(c),
    );
    out.push({ table, t: t as PersonalTable['t'], pointers });
  }
  return out.sort((a, b) => Number(a.t.contactColumn === a.t.idColumn) - Number(b.t.contactColumn === b.t.idColumn));
}

/** A contact's rows in one table: those it owns, and those of which it is the other end (links). */
export async function selectContactRows(db: Executor, p: PersonalTable, contactId: string): Promise<Row[]> {
  const owned = await sql<Row>`select * from ${sql.table(p.table)} where ${sql.ref(p.t.contactColumn)} = ${contactId}
    order by ${sql.ref(p.t.idColumn)}`.execute(db);
  const rows = [...owned.rows];
  if (p.t.contactColumn === p.t.idColumn) return rows;
  for (const column of p.pointers) {
    const linked = await sql<Row>`select * from ${sql.table(p.table)} where ${sql.ref(column)} = ${contactId}
      and ${sql.ref(p.t.contactColumn)} <> ${contactId}`.execute(db);
    rows.push(...linked.rows);
  }
  return rows;
}

/** Deletes the contact's rows in one table (and rows linking to it; on the contacts table a pointer is cleared). */
export async function deleteContactRows(db: Executor, p: PersonalTable, contactId: string): Promise<number> {
  let n = 0;
  for (const column of p.pointers) {
    const r =
      p.t.contactColumn === p.t.idColumn
        ? await sql`update ${sql.table(p.table)} set ${sql.ref(column)} = null where ${sql.ref(column)} = ${contactId}`.execute(
            db,
          )
        : await sql`delete from ${sql.table(p.table)} where ${sql.ref(column)} = ${contactId}`.execute(db);
    n += Number(r.numAffectedRows ?? 0n);
  }
  const r = await sql`delete from ${sql.table(p.table)} where ${sql.ref(p.t.contactColumn)} = ${contactId}`.execute(db);
  return n + Number(r.numAffectedRows ?? 0n);
}

/** Raw webhook deliveries that carried any of the contact's events (found through webhook_events.post_id). */
export async function postIdsOfContact(db: Executor, contactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_events')
    .select('post_id')
    .distinct()
    .where('contact_id', '=', contactId)
    .execute();
  return rows.map((r) => r.post_id);
}

/** Drops the raw bodies of those deliveries; the row (and its body hash, which dedupes redeliveries) stays. */
export async function purgePostBodies(db: Executor, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await db
      .updateTable('webhook_posts')
      .set({ body_enc: null, status: 'purged' })
      .where('id', 'in', ids.slice(i, i + 500))
      .where('body_enc', 'is not', null)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/** Raw bodies kept because their processing failed (they name no contact: nothing was applied from them). */
export async function failedPostBodies(db: Executor): Promise<{ id: string; body_enc: string }[]> {
  const rows = await db
    .selectFrom('webhook_posts')
    .select(['id', 'body_enc'])
    .where('status', '=', 'failed')
    .where('body_enc', 'is not', null)
    .execute();
  return rows.map((r) => ({ id: r.id, body_enc: r.body_enc! }));
}

/** Raw copies of events applied to no contact (unknown kinds, `…_without_psid`) on the given Pages. */
export async function contactlessRawEvents(
  db: Executor,
  pageIds: readonly string[],
): Promise<{ id: string; page_id: string; raw_enc: string }[]> {
  if (pageIds.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_events')
    .select(['id', 'page_id', 'raw_enc'])
    .where('page_id', 'in', [...pageIds])
    .where('contact_id', 'is', null)
    .where('raw_enc', 'is not', null)
    .execute();
  return rows.map((r) => ({ id: r.id, page_id: r.page_id, raw_enc: r.raw_enc! }));
}

/** Drops raw event copies; the ledger rows stay (they dedupe redeliveries). */
export async function dropRawEvents(db: Executor, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const r = await db
      .updateTable('webhook_events')
      .set({ raw_enc: null })
      .where('id', 'in', ids.slice(i, i + 500))
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/** The PSID ciphertexts of the given contacts, with what opens them. */
export async function psidCiphertexts(
  db: Executor,
  contactIds: readonly string[],
): Promise<{ id: string; page_id: string; psid_enc: string }[]> {
  if (contactIds.length === 0) return [];
  return db
    .selectFrom('contacts')
    .select(['id', 'page_id', 'psid_enc'])
    .where('id', 'in', [...contactIds])
    .execute();
}

export interface OwnedCiphertext {
  id: string;
  pageId: string | null;
  contactId: string;
  value: string;
}

/** The next ciphertexts of one contact-owned column after `afterId`, in id order, rows without a contact skipped. */
export async function ownedCiphertextBatch(
  db: Executor,
  p: PersonalTable,
  column: string,
  afterId: string | null,
  limit: number,
): Promise<OwnedCiphertext[]> {
  const page = p.t.pageColumn ? sql.ref(p.t.pageColumn) : sql`null`;
  const after = afterId === null ? sql`` : sql`and ${sql.ref(p.t.idColumn)} > ${afterId}`;
  const r = await sql<{ id: string; page_id: string | null; contact_id: string; value: string }>`
    select ${sql.ref(p.t.idColumn)} as id, ${page} as page_id, ${sql.ref(p.t.contactColumn)} as contact_id, ${sql.ref(column)} as value
    from ${sql.table(p.table)} where ${sql.ref(column)} is not null and ${sql.ref(p.t.contactColumn)} is not null ${after}
    order by ${sql.ref(p.t.idColumn)} limit ${limit}`.execute(db);
  return r.rows.map((row) => ({
    id: String(row.id),
    pageId: row.page_id === null ? null : String(row.page_id),
    contactId: String(row.contact_id),
    value: row.value,
  }));
}

/** Compare-and-set, so a concurrent writer's newer value wins over a re-seal of the old one. */
export async function replaceOwnedCiphertext(
  db: Executor,
  p: PersonalTable,
  column: string,
  id: string,
  expected: string,
  value: string,
): Promise<number> {
  const r = await sql`update ${sql.table(p.table)} set ${sql.ref(column)} = ${value}
    where ${sql.ref(p.t.idColumn)} = ${id} and ${sql.ref(column)} = ${expected}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
