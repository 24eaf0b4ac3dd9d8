// A Page's loyalty tiers: one row per Page, replaced as a whole.
import type { Executor } from '../../db/types.ts';
import type { LoyaltyTiersTable } from '../../db/tables/campaigns.ts';

export async function findLoyaltyTiers(db: Executor, pageId: string): Promise<LoyaltyTiersTable | undefined> {
  return db.selectFrom('loyalty_tiers').selectAll().where('page_id', '=', pageId).executeTakeFirst();
}

export async function upsertLoyaltyTiers(db: Executor, row: LoyaltyTiersTable): Promise<void> {
  await db
    .insertInto('loyalty_tiers')
    .values(row)
    .onConflict((oc) =>
      oc.column('page_id').doUpdateSet({
        window_days: row.window_days,
        currency: row.currency,
        tiers: row.tiers,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}
