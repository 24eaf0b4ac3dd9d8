// Campaigns: create, read, list, preview, and the recipients list. Running them is in run-campaign.ts, sending in
// campaign-sender.ts.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { toIso } from '../../lib/time.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import { buildMessage, type SendContent } from '../messaging/message-body.ts';
import { findPage } from '../pages/pages.repository.ts';
import { marketingEnabled } from '../pages/marketing-messages.ts';
import { formatSegmentFilter } from '../segments/segment-filter.ts';
import { compileSegment } from '../segments/segments.ts';
import { findSegment } from '../segments/segments.repository.ts';
import { campaignAudience } from './campaign-audience.ts';
import { pageLoyaltyTiers } from '../recommendations/loyalty-tiers.ts';
import { checkLoyaltyOffer, checkRecommendations, type LoyaltyOfferBlock } from './campaign-blocks.ts';
import { messageTexts, recipientData, unknownVariables } from './campaign-message.ts';
import { markerLength, MAX_PAYLOAD_CHARS, messagePayloads } from './campaign-payload.ts';
import { CampaignRenderer } from './campaign-render.ts';
import { assignVariant, campaignRate, contentRefusal, type ContentRefusal } from './campaign.policy.ts';
import {
  emptyStats,
  presentCampaign,
  type CampaignStats,
  type CampaignView,
  type StoredVariant,
} from './campaign.presenter.ts';
import {
  findCampaign,
  listCampaignRows,
  listRecipientRows,
  skippedFigures,
  variantFigures,
} from './campaigns.repository.ts';
import { resolveUtilityTemplate, templateParameters, type CampaignTemplate } from './utility-template.ts';

export const MAX_CAMPAIGN_NAME_CHARS = 100;
export const MAX_VARIANTS = 5;
export const PREVIEW_SAMPLE = 5;

/** A campaign message: a Send API message, or one of the blocks rendered per recipient (campaign-blocks.ts). */
export interface CampaignMessageInput extends SendContent {
  recommendations?: unknown;
  loyalty_offer?: unknown;
}

export interface CreateCampaignInput {
  name: string;
  kind: 'standard' | 'utility' | 'marketing';
  segment_id?: string | undefined;
  filter?: unknown;
  message?: CampaignMessageInput | undefined;
  template?: CampaignTemplate | undefined;
  variants?: { weight: number; message: CampaignMessageInput }[] | undefined;
  schedule_at?: string | undefined;
  max_per_second?: number | undefined;
  tag?: string | undefined;
}

const REFUSALS: Record<ContentRefusal, string> = {
  marketing_not_enabled:
    "this Page's Marketing Messages are off: turn them on (PUT /api/v1/pages/{pageId}/marketing-messages) once Meta granted the permission",
  template_required: 'a utility campaign sends an approved template: give template {name, language, parameters}',
  message_required: 'a standard campaign needs a message (or variants)',
  utility_requires_template: 'a utility campaign sends an approved template, never a free message',
  template_not_for_standard: 'a standard campaign sends a message, not a template',
  quick_replies_not_allowed: 'a utility template cannot carry quick replies (Meta answers 2018416)',
  promotional_content: 'a utility template must not be promotional (sale, discount, offer…); use a standard campaign',
  variants_not_for_utility: 'variants are messages: a utility campaign sends one template',
  human_agent_not_allowed: 'HUMAN_AGENT is for a person answering a person, never for a campaign',
  retired_tag: 'that message tag was retired by Meta and is refused',
  tag_not_allowed: 'a campaign sends no message tag: standard campaigns go inside the 24-hour window',
};

const refusal = (reason: string, message: string, field?: string) =>
  new AppError('validation_failed', message, { reason, ...(field && { field }) });

function checkName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (n === '' || [...n].length > MAX_CAMPAIGN_NAME_CHARS)
    throw refusal('invalid_name', `name must be 1 to ${MAX_CAMPAIGN_NAME_CHARS} characters`, 'name');
  return n;
}

function checkVariables(messages: readonly Record<string, unknown>[]): void {
  const unknown = unknownVariables(messages.flatMap(messageTexts));
  if (unknown.length)
    throw refusal(
      'unknown_variable',
      `unknown variable ${unknown.map((v) => `{{${v}}}`).join(', ')}: use contact.first_name, contact.last_name, ` +
        'contact.name, attribute.<key>, orders.count or orders.last.external_id|status|total|currency',
      'message',
    );
}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsOf);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(stringsOf);
  return [];
}

/**
 * A campaign message as stored: a Send API message (checked as a send is), or a recommendations or loyalty-offer
 * block (checked here) with optional quick replies. Its payloads must leave room for the campaign's marker.
 */
function buildCampaignMessage(input: CampaignMessageInput, field: string): Record<string, unknown> {
  const given = (['text', 'attachment', 'recommendations', 'loyalty_offer'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (given.length !== 1)
    throw refusal(
      'invalid_message',
      `${field} holds exactly one of text, attachment, recommendations, loyalty_offer`,
      field,
    );
  let message: Record<string, unknown>;
  if (given[0] === 'recommendations' || given[0] === 'loyalty_offer') {
    const block =
      given[0] === 'recommendations'
        ? { recommendations: checkRecommendations(input.recommendations, `${field}.recommendations`) }
        : { loyalty_offer: checkLoyaltyOffer(input.loyalty_offer, `${field}.loyalty_offer`) };
    const qr =
      input.quick_replies === undefined
        ? {}
        : { quick_replies: buildMessage({ text: '-', quick_replies: input.quick_replies }).message.quick_replies };
    message = { ...block, ...qr };
  } else {
    message = buildMessage(input).message;
  }
  const room = MAX_PAYLOAD_CHARS - markerLength(newId('cp'));
  if (messagePayloads(message).some((p) => [...p].length > room))
    throw refusal(
      'payload_too_long',
      `payloads of a campaign's buttons and quick replies hold at most ${room} characters`,
      field,
    );
  return message;
}

/** The content checked against the kind, as stored: the message, the variants, the template. */
function checkContent(input: CreateCampaignInput, marketingEnabled: boolean) {
  const hasQuickReplies =
    input.message?.quick_replies !== undefined ||
    (input.variants ?? []).some((v) => v.message.quick_replies !== undefined);
  const parameters = input.template ? templateParameters(input.template) : [];
  const reason = contentRefusal({
    kind: input.kind,
    hasMessage: input.message !== undefined,
    hasQuickReplies,
    hasTemplate: input.template !== undefined,
    hasVariants: input.variants !== undefined,
    templateTexts: [...parameters, ...stringsOf(input.message ?? {})],
    tag: input.tag ?? null,
    marketingEnabled,
  });
  if (reason) throw refusal(reason, REFUSALS[reason]);
  if (input.kind === 'utility') {
    const unknown = unknownVariables(parameters);
    if (unknown.length)
      throw refusal('unknown_variable', `unknown variable ${unknown.map((v) => `{{${v}}}`).join(', ')}`, 'template');
    const template: CampaignTemplate = { name: input.template!.name, language: input.template!.language, parameters };
    return { message: null, variants: [] as StoredVariant[], template };
  }
  if (input.message !== undefined && input.variants !== undefined)
    throw refusal(
      'message_or_variants',
      'give message or variants, not both: each variant carries its message',
      'variants',
    );
  let variants: StoredVariant[];
  if (input.variants !== undefined) {
    if (input.variants.length < 1 || input.variants.length > MAX_VARIANTS)
      throw refusal('invalid_variants', `variants holds 1 to ${MAX_VARIANTS} messages`, 'variants');
    variants = input.variants.map((v, i) => ({
      weight: v.weight,
      message: buildCampaignMessage(v.message, `variants[${i}].message`),
    }));
  } else {
    variants = [{ weight: 1, message: buildCampaignMessage(input.message!, 'message') }];
  }
  checkVariables(variants.map((v) => v.message));
  return { message: input.message === undefined ? null : variants[0]!.message, variants, template: null };
}

function scheduleOf(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const at = Date.parse(raw);
  if (!Number.isFinite(at))
    throw refusal('invalid_schedule', 'schedule_at must be an RFC 3339 date-time', 'schedule_at');
  return at;
}

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
  const name = checkName(input.name);
  const content = checkContent(input, input.kind === 'marketing' && (await marketingEnabled(ctx.db, pageId)));
  const scheduleAt = scheduleOf(input.schedule_at);
  if ((input.segment_id === undefined) === (input.filter === undefined))
    throw refusal('audience_required', 'give segment_id or filter (exactly one)', 'segment_id');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    if (input.segment_id !== undefined && !(await findSegment(trx, input.segment_id, [pageId])))
      throw notFound('segment');
    const filter =
      input.filter === undefined
        ? null
        : JSON.stringify(formatSegmentFilter((await compileSegment(ctx, trx, pageId, input.filter)).node));
    if (content.template) await resolveUtilityTemplate(trx, pageId, content.template);
    await checkLoyaltyOffers(trx, pageId, content.variants);
    const firstKind = content.variants[0] ? buildKind(content.variants[0].message) : 'text';
    const row: CampaignTable = {
      id: newId('cp', now),
      page_id: pageId,
      name,
      kind: input.kind,
      segment_id: input.segment_id ?? null,
      filter,
      message: content.message === null ? null : JSON.stringify(content.message),
      template: content.template === null ? null : JSON.stringify(content.template),
      variants: JSON.stringify(content.variants),
      status: 'draft',
      schedule_at: scheduleAt,
      max_per_second: campaignRate(input.max_per_second, firstKind),
      created_by: actor.id,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    };
    await trx.insertInto('campaigns').values(row).execute();
    await appendAudit(
      trx,
      actor,
      {
        action: 'campaign.create',
        pageId,
        subjectType: 'campaign',
        subjectId: row.id,
        details: { name, kind: row.kind, variants: content.variants.length, max_per_second: row.max_per_second },
      },
      now,
    );
    await campaignUpdated(trx, ctx, row, now);
    return presentCampaign(row, { total: emptyStats(), variants: content.variants.map(() => emptyStats()) });
  });
}

/** Every tier a loyalty offer names is one of the Page's tiers (a typo would silently skip a whole tier). */
async function checkLoyaltyOffers(db: Executor, pageId: string, variants: readonly StoredVariant[]): Promise<void> {
  const offers = variants.flatMap((v) =>
    v.message.loyalty_offer ? [v.message.loyalty_offer as LoyaltyOfferBlock] : [],
  );
  if (offers.length === 0) return;
  const tiers = await pageLoyaltyTiers(db, pageId);
  if (!tiers)
    throw refusal(
      'no_loyalty_tiers',
      'the Page has no loyalty tiers yet: set them (PUT …/loyalty-tiers) first',
      'message',
    );
  const names = tiers.tiers.map((t) => t.name);
  for (const o of offers)
    for (const name of Object.keys(o.tiers))
      if (!names.includes(name))
        throw refusal(
          'unknown_tier',
          `the Page has no loyalty tier "${name}" (its tiers: ${names.join(', ')})`,
          'message',
        );
}

function buildKind(message: Record<string, unknown>): 'text' | 'media' | 'template' {
  if (message.recommendations !== undefined || message.loyalty_offer !== undefined) return 'template';
  const att = message.attachment as { type?: string } | undefined;
  if (!att) return 'text';
  return att.type === 'template' ? 'template' : 'media';
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

/**
 * Who a campaign would reach if started now: the segment's members, those left out by reason, and the message
 * rendered for a few of the eligible. The same function freezes the audience at start, so the eligible set reported
 * is the set start stores (re-checked per recipient when queued). Reads only; names are opened for the sample alone.
 */
export async function previewCampaign(ctx: AppContext, actor: Actor, id: string) {
  assertCan(actor, 'campaigns:manage');
  const c = await visibleCampaign(ctx.db, actor, id);
  const now = ctx.clock.now();
  let recipients = 0;
  let eligible = 0;
  const byReason: Record<string, number> = {};
  const sampleIds: string[] = [];
  for await (const batch of campaignAudience(ctx, ctx.db, c, now)) {
    for (const m of batch) {
      recipients++;
      if (m.exclusion === null) {
        eligible++;
        if (sampleIds.length < PREVIEW_SAMPLE) sampleIds.push(m.contactId);
      } else byReason[m.exclusion] = (byReason[m.exclusion] ?? 0) + 1;
    }
  }
  const variants = JSON.parse(c.variants) as StoredVariant[];
  const data = await recipientData(ctx, ctx.db, sampleIds);
  // The sample shows each person's message as it would go now; a coupon's code is drawn only when it is sent.
  const renderer = new CampaignRenderer(
    ctx,
    ctx.db,
    c,
    now,
    (existing, prefix) => existing ?? `${prefix ? `${prefix}-` : ''}XXXXXXXXXX`,
  );
  const sample = [];
  for (const contactId of sampleIds) {
    const variant = assignVariant(
      c.id,
      contactId,
      variants.map((v) => v.weight),
    );
    const d = data.get(contactId);
    const rendered = d ? await renderer.render({ variant, couponCode: null }, d) : null;
    sample.push({
      contact_id: contactId,
      variant,
      text: rendered?.ok ? rendered.text : null,
      message: rendered?.ok ? rendered.message : null,
      reason: rendered === null ? 'erased' : rendered.ok ? null : rendered.reason,
    });
  }
  return { recipients, eligible, by_reason: byReason, sample };
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
