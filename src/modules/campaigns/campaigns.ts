// Campaigns: create, read, list, and the recipients list. Checking the fields is in campaign-input.ts, previews in
// campaign-preview.ts, editing a draft in update-campaign.ts, running in run-campaign.ts, sending in
// campaign-sender.ts.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { checkedCampaign, type CreateCampaignInput } from './campaign-input.ts';
import { emptyStats, presentCampaign, type CampaignStats, type CampaignView } from './campaign.presenter.ts';
import {
  findCampaign,
  insertCampaign,
  listCampaignRows,
  listRecipientRows,
  skippedFigures,
  variantFigures,
} from './campaigns.repository.ts';

export {
  MAX_CAMPAIGN_NAME_CHARS,
  MAX_VARIANTS,
  type CampaignMessageInput,
  type CreateCampaignInput,
} from './campaign-input.ts';

/** Appends `campaign.updated` (ids only) for the inbox's live stream, in the caller's transaction. */
export async function campaignUpdated(
  db: Executor,
  ctx: AppContext,
  c: Pick<CampaignTable, 'id' | 'page_id'>,
  now: number,
) {
  await appendEvents(db, ctx.database.dialect, [
    {
      page_id: c.page_id,
      type: 'campaign.updated',
      conversation_id: null,
      contact_id: null,
      message_id: null,
      delivery_id: null,
      campaign_id: c.id,
      at: now,
    },
  ]);
}

/**
 * Creates a draft campaign (owners, admins, marketers); audited. Its content is checked against its kind (a 400
 * with the reason otherwise), its audience (a saved segment of the Page, or a filter) compiled once to be sure it can
 * run. Nothing is sent until it is started.
 */
export async function createCampaign(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: CreateCampaignInput,
): Promise<CampaignView> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const { variantCount, ...checked } = await checkedCampaign(ctx, trx, pageId, input);
    const row: CampaignTable = {
      id: newId('cp', now),
      page_id: pageId,
      ...checked,
      status: 'draft',
      version: 1,
      created_by: actor.id,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    };
    await insertCampaign(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'campaign.create',
        pageId,
        subjectType: 'campaign',
        subjectId: row.id,
        details: { name: row.name, kind: row.kind, variants: variantCount, max_per_second: row.max_per_second },
      },
      now,
    );
    await campaignUpdated(trx, ctx, row, now);
    return presentCampaign(row, { total: emptyStats(), variants: Array.from({ length: variantCount }, emptyStats) });
  });
}

/** The campaign's figures, whole and per variant. */
export async function campaignStats(
  db: Executor,
  c: CampaignTable,
): Promise<{ total: CampaignStats; variants: CampaignStats[] }> {
  const count = (JSON.parse(c.variants) as unknown[]).length || 1;
  const variants = Array.from({ length: count }, emptyStats);
  for (const f of await variantFigures(db, c.id)) {
    const { variant, ...figures } = f;
    if (variants[variant]) variants[variant] = { ...variants[variant], ...figures, skipped: {} };
  }
  for (const s of await skippedFigures(db, c.id)) {
    const v = variants[s.variant];
    if (v) v.skipped[s.reason] = (v.skipped[s.reason] ?? 0) + s.n;
  }
  const total = emptyStats();
  for (const v of variants) {
    for (const k of [
      'recipients',
      'queued',
      'sent',
      'delivered',
      'read',
      'clicked',
      'replied',
      'opted_out',
      'failed',
    ] as const)
      total[k] += v[k];
    for (const [r, n] of Object.entries(v.skipped)) total.skipped[r] = (total.skipped[r] ?? 0) + n;
  }
  return { total, variants };
}

/** A campaign of a Page the actor sees, or a 404 exactly like a missing one. */
export async function visibleCampaign(db: Executor, actor: Actor, id: string): Promise<CampaignTable> {
  const row = await findCampaign(db, id, pageScopeOf(actor));
  if (!row) throw notFound('campaign');
  return row;
}

/** One campaign with its figures, whole and per variant. */
export async function getCampaign(ctx: AppContext, actor: Actor, id: string): Promise<CampaignView> {
  assertCan(actor, 'contacts:read');
  const row = await visibleCampaign(ctx.db, actor, id);
  return presentCampaign(row, await campaignStats(ctx.db, row));
}

/** A Page's campaigns, newest first (without figures: GET one campaign for them). */
export async function listCampaigns(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  o: { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ data: CampaignView[]; next_cursor: string | null }> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const limit = o.limit ?? 50;
  const page = pageOf(
    await listCampaignRows(ctx.db, pageId, { cursor: o.cursor ?? null, limit: limit + 1 }),
    limit,
    (r) => r.id,
  );
  return { data: page.rows.map((r) => presentCampaign(r)), next_cursor: page.nextCursor };
}

/** A page of a campaign's recipients (of one status, or all) with what became of each. */
export async function listRecipients(
  ctx: AppContext,
  actor: Actor,
  id: string,
  o: { status?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
) {
  assertCan(actor, 'contacts:read');
  const c = await visibleCampaign(ctx.db, actor, id);
  const limit = o.limit ?? 100;
  const rows = await listRecipientRows(ctx.db, c.id, {
    status: o.status ?? null,
    cursor: o.cursor ?? null,
    limit: limit + 1,
  });
  const page = pageOf(rows, limit, (r) => r.id);
  return {
    data: page.rows.map((r) => ({
      contact_id: r.contact_id,
      variant: Number(r.variant),
      status: r.status,
      reason: r.delivery_status === 'skipped' ? r.delivery_reason : r.reason,
      delivery_id: r.delivery_id,
      delivery_status: r.delivery_status,
      coupon_code: r.coupon_code,
      queued_at: toIso(r.queued_at),
      sent_at: toIso(r.sent_at),
      delivered_at: toIso(r.delivered_at),
      read_at: toIso(r.read_at),
      clicked_at: toIso(r.clicked_at),
    })),
    next_cursor: page.nextCursor,
  };
}
