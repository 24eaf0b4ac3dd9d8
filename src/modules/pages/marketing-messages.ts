// A Page's switch for Meta's paid Marketing Messages (messenger-platform.md §8.2): off by default; an owner or admin
// turns it on with the ad account the messages are billed to, and only while Meta says the Page's token carries the
// permission (`paid_marketing_messages` or `marketing_messages_messenger`). Without it a `marketing` campaign is
// refused with `marketing_not_enabled`.
import type { AppContext } from '../../kernel/context.ts';
import type { PageMarketingMessagesTable } from '../../db/tables/meta-settings.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { toIso } from '../../lib/time.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findMarketingSetting, upsertMarketingSetting } from './marketing-messages.repository.ts';
import { pageGraphOf } from './page-graph.ts';
import { findPage } from './pages.repository.ts';
import { decryptPageToken } from './register-page.ts';

/** The permissions Meta grants for the paid Marketing Message API (either name, by App Review). */
export const MARKETING_PERMISSIONS = ['paid_marketing_messages', 'marketing_messages_messenger'] as const;
export const MIN_DAILY_BUDGET = 100;

export interface MarketingSettingView {
  page_id: string;
  enabled: boolean;
  ad_account_id: string | null;
  daily_budget: number | null;
  permission_checked_at: string | null;
  updated_at: string | null;
}

function present(pageId: string, row: PageMarketingMessagesTable | undefined): MarketingSettingView {
  return {
    page_id: pageId,
    enabled: row?.enabled === 1,
    ad_account_id: row?.ad_account_id ?? null,
    daily_budget: row?.daily_budget ?? null,
    permission_checked_at: toIso(row?.permission_checked_at ?? null),
    updated_at: toIso(row?.updated_at ?? null),
  };
}

/** Whether the Page may send Marketing Messages now (its operator's switch). */
export async function marketingEnabled(db: Executor, pageId: string): Promise<boolean> {
  return (await findMarketingSetting(db, pageId))?.enabled === 1;
}

/** The ad account and budget of a Page whose Marketing Messages are on, or null. */
export async function marketingAccount(
  db: Executor,
  pageId: string,
): Promise<{ adAccountId: string; dailyBudget: number } | null> {
  const row = await findMarketingSetting(db, pageId);
  if (row?.enabled !== 1 || row.ad_account_id === null || row.daily_budget === null) return null;
  return { adAccountId: row.ad_account_id, dailyBudget: row.daily_budget };
}

/** The Page's Marketing Messages setting (off when never set); anyone who sees the Page. */
export async function getMarketingSetting(ctx: AppContext, actor: Actor, pageId: string) {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return present(pageId, await findMarketingSetting(ctx.db, pageId));
}

const refusal = (reason: string, message: string, field?: string) =>
  new AppError('validation_failed', message, { reason, ...(field && { field }) });

// Asks Meta what the Page's token may do, as `debug_token` answers (with the app's token when configured).
async function checkPermission(ctx: AppContext, graph: GraphClient, pageId: string, token: string): Promise<void> {
  const { appId, appSecret } = ctx.config.meta;
  let scopes: string[];
  try {
    const d = await graph.debugToken(token, appId && appSecret ? `${appId}|${appSecret}` : token);
    if (!d.isValid)
      throw new AppError('page_unauthorized', `Meta says the access token of Page ${pageId} is not valid`);
    if (d.profileId !== undefined && d.profileId !== pageId)
      throw refusal('token_of_other_page', `the Page access token belongs to Page ${d.profileId}, not ${pageId}`);
    scopes = d.scopes;
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const c = err.classification;
    if (c.kind === 'reauthorize')
      throw new AppError('page_unauthorized', `Meta rejected the access token of Page ${pageId} (code ${c.code})`);
    throw new AppError('not_ready', `the Page's permissions could not be checked with Meta (${c.stableCode})`);
  }
  if (!MARKETING_PERMISSIONS.some((p) => scopes.includes(p)))
    throw new AppError(
      'policy_refused',
      `the Page's token does not carry ${MARKETING_PERMISSIONS.join(' or ')}: Meta grants it to the app by App Review`,
      { reason: 'marketing_permission_missing' },
    );
}

/**
 * Turns the Page's Marketing Messages on or off; owners and admins; audited (`page.marketing_messages.update`).
 * Turning them on needs `ad_account_id` (digits, `act_` allowed) and `daily_budget` (cents, ≥ 100) and is refused
 * (422 `marketing_permission_missing`) unless Meta says the Page's token carries the permission. Turning them off
 * always works and keeps the account for next time.
 */
export async function setMarketingSetting(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { enabled: boolean; ad_account_id?: string | undefined; daily_budget?: number | undefined },
  graph: GraphClient = pageGraphOf(ctx),
): Promise<MarketingSettingView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const page = await findPage(ctx.db, pageId);
  if (!page) throw notFound('page');
  const before = await findMarketingSetting(ctx.db, pageId);
  const rawAccount = input.ad_account_id ?? before?.ad_account_id ?? undefined;
  const account = rawAccount?.replace(/^act_/, '');
  if (account !== undefined && !/^\d{1,20}$/.test(account))
    throw refusal('invalid_ad_account', 'ad_account_id is digits (act_ may be written before them)', 'ad_account_id');
  const budget = input.daily_budget ?? before?.daily_budget ?? undefined;
  if (budget !== undefined && (!Number.isInteger(budget) || budget < MIN_DAILY_BUDGET))
    throw refusal('invalid_budget', `daily_budget is whole cents, at least ${MIN_DAILY_BUDGET}`, 'daily_budget');
  let checkedAt = before?.permission_checked_at ?? null;
  if (input.enabled) {
    if (account === undefined)
      throw refusal('ad_account_required', 'give ad_account_id: the messages are billed to it', 'ad_account_id');
    if (budget === undefined)
      throw refusal('daily_budget_required', "give daily_budget: each campaign's daily budget at Meta", 'daily_budget');
    if (page.status !== 'active')
      throw new AppError('page_unauthorized', `Page ${pageId} has no valid token: register it again first`);
    await checkPermission(ctx, graph, pageId, decryptPageToken(ctx, page));
    checkedAt = ctx.clock.now();
  }
  const now = ctx.clock.now();
  const row: PageMarketingMessagesTable = {
    page_id: pageId,
    enabled: input.enabled ? 1 : 0,
    ad_account_id: account ?? null,
    daily_budget: budget ?? null,
    permission_checked_at: checkedAt,
    updated_by: actor.id,
    created_at: before?.created_at ?? now,
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await upsertMarketingSetting(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'page.marketing_messages.update',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: { enabled: input.enabled, was_enabled: before?.enabled === 1, ad_account_id: row.ad_account_id },
      },
      now,
    );
  });
  return present(pageId, row);
}
