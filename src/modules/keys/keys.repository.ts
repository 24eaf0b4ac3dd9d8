import type { Executor } from '../../db/types.ts';
import type { WrappedKeyVersion } from '../../crypto/index.ts';
import { sql } from 'kysely';

export async function loadKeyVersions(db: Executor): Promise<WrappedKeyVersion[]> {
  const rows = await db.selectFrom('key_versions').selectAll().orderBy('version').execute();
  return rows.map((r) => ({ version: r.version, wrapped: r.wrapped, createdAt: r.created_at }));
}

export async function insertKeyVersion(db: Executor, v: WrappedKeyVersion): Promise<void> {
  await db
    .insertInto('key_versions')
    .values({ version: v.version, wrapped: v.wrapped, created_at: v.createdAt })
    .execute();
}

export async function getMeta(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setMeta(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export async function deleteMeta(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('meta').where('key', '=', key).execute();
}

/** Rows of one ciphertext column whose value starts with `v<version>.` (the keyring's version prefix). */
export async function countCiphertextsOfVersion(
  db: Executor,
  table: string,
  column: string,
  version: number,
): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} like ${`v${version}.%`}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export interface CiphertextRow {
  id: string;
  pageId: string | null;
  value: string;
}

/** The next rows of a ciphertext column after `afterId`, in id order (for re-wrapping in batches). */
export async function ciphertextBatch(
  db: Executor,
  c: { table: string; column: string; idColumn: string; pageColumn: string | null },
  afterId: string | null,
  limit: number,
): Promise<CiphertextRow[]> {
  const page = c.pageColumn ? sql.ref(c.pageColumn) : sql`null`;
  const after = afterId === null ? sql`` : sql`and ${sql.ref(c.idColumn)} > ${afterId}`;
  const r = await sql<{ id: string; page_id: string | null; value: string }>`
    select ${sql.ref(c.idColumn)} as id, ${page} as page_id, ${sql.ref(c.column)} as value
    from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null ${after}
    order by ${sql.ref(c.idColumn)} limit ${limit}`.execute(db);
  return r.rows.map((row) => ({
    id: String(row.id),
    pageId: row.page_id === null ? null : String(row.page_id),
    value: row.value,
  }));
}

/** Compare-and-set: replaces the ciphertext only where it is still the one read, so a concurrent writer wins. */
export async function replaceCiphertext(
  db: Executor,
  c: { table: string; column: string; idColumn: string },
  id: string,
  expected: string,
  next: string,
): Promise<number> {
  const r = await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next}
    where ${sql.ref(c.idColumn)} = ${id} and ${sql.ref(c.column)} = ${expected}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The newest key version's number, 0 before the first. */
export async function latestKeyVersion(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('key_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}
