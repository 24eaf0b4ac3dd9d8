import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Whether a product is on sale (in stock, listed): 1 or 0. Recommendations offer active products only; orders of an
// inactive one still count for the person who bought it.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('products')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
