// A Page's loyalty tiers: read by anyone who may read the Page, set (replaced whole, audited) by those who manage
// campaigns; loyalty offers in campaigns give each person the coupon of their tier.
import type { AppContext } from '../../kernel/context.ts';
import type { LoyaltyTiersTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { checkLoyaltyTiers, type LoyaltyTiers } from './loyalty.policy.ts';
import { findLoyaltyTiers, upsertLoyaltyTiers } from './loyalty-tiers.repository.ts';

export interface LoyaltyTiersView extends LoyaltyTiers {
  page_id: string;
  updated_at: string | null;
}

function present(pageId: string, row: LoyaltyTiersTable | undefined): LoyaltyTiersView {
  const tiers = row ? pageTiersOf(row) : { window_days: 365, currency: 'EUR', tiers: [] };
  return { page_id: pageId, ...tiers, updated_at: toIso(row?.updated_at ?? null) };
}

function pageTiersOf(row: LoyaltyTiersTable): LoyaltyTiers {
  return {
    window_days: row.window_days,
    currency: row.currency,
    tiers: JSON.parse(row.tiers) as LoyaltyTiers['tiers'],
  };
}

/** The Page's loyalty tiers, or null when it has defined none (what campaigns read). */
export async function pageLoyaltyTiers(db: Executor, pageId: string): Promise<LoyaltyTiers | null> {
  const row = await findLoyaltyTiers(db, pageId);
  return row ? pageTiersOf(row) : null;
}

/** The Page's loyalty tiers (none yet: an empty list). */
export async function getLoyaltyTiers(ctx: AppContext, actor: Actor, pageId: string): Promise<LoyaltyTiersView> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return present(pageId, await findLoyaltyTiers(ctx.db, pageId));
}

/** Replaces the Page's loyalty tiers (checked: a 400 naming the field); audited. Owners, admins and marketers. */
export async function setLoyaltyTiers(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: unknown,
): Promise<LoyaltyTiersView> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const checked = checkLoyaltyTiers(input);
  if (!checked.ok) throw new AppError('validation_failed', checked.message, { field: checked.field });
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    const row: LoyaltyTiersTable = {
      page_id: pageId,
      window_days: checked.tiers.window_days,
      currency: checked.tiers.currency,
      tiers: JSON.stringify(checked.tiers.tiers),
      updated_by: actor.id,
      updated_at: now,
    };
    await upsertLoyaltyTiers(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'loyalty_tiers.set',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: { tiers: checked.tiers.tiers.map((t) => t.name), window_days: row.window_days },
      },
      now,
    );
    return present(pageId, row);
  });
}
