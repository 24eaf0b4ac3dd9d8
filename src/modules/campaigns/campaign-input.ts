// A campaign's creation fields checked and turned into what is stored: the name, the content against its kind, the
// audience (a saved segment of the Page, or a filter compiled once), the schedule and the pace. Creating, editing a
// draft and previewing an unsaved campaign all go through `checkedCampaign`: one set of refusals, one stored form.
import { marketingEnabled } from '../pages/marketing-messages.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { buildMessage, type SendContent } from '../messaging/message-body.ts';
import { findPage } from '../pages/pages.repository.ts';
import { formatSegmentFilter } from '../segments/segment-filter.ts';
import { compileSegment } from '../segments/segments.ts';
import { findSegment } from '../segments/segments.repository.ts';
import { pageLoyaltyTiers } from '../recommendations/loyalty-tiers.ts';
import { checkLoyaltyOffer, checkRecommendations, type LoyaltyOfferBlock } from './campaign-blocks.ts';
import { messageTexts, unknownVariables } from './campaign-message.ts';
import { markerLength, MAX_PAYLOAD_CHARS, messagePayloads } from './campaign-payload.ts';
import { campaignRate, contentRefusal, type ContentRefusal } from './campaign.policy.ts';
import type { StoredVariant } from './campaign.presenter.ts';
import { resolveUtilityTemplate, templateParameters, type CampaignTemplate } from './utility-template.ts';

export const MAX_CAMPAIGN_NAME_CHARS = 100;
export const MAX_VARIANTS = 5;

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

/** The columns a campaign's creation fields decide, checked. */
export type CheckedCampaign = Pick<
  CampaignTable,
  'name' | 'kind' | 'segment_id' | 'filter' | 'message' | 'template' | 'variants' | 'schedule_at' | 'max_per_second'
>;

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

export const refusal = (reason: string, message: string, field?: string) =>
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
function checkContent(input: CreateCampaignInput, marketingOn: boolean) {
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
    marketingEnabled: marketingOn,
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

/**
 * The creation fields checked as creation checks them, in the caller's transaction, and the columns they store. A
 * content that does not fit its kind, an unknown variable, a missing audience… is a 400 with details.reason; a
 * segment of another Page a 404. Reads only.
 */
export async function checkedCampaign(
  ctx: AppContext,
  trx: Executor,
  pageId: string,
  input: CreateCampaignInput,
): Promise<CheckedCampaign & { variantCount: number }> {
  const name = checkName(input.name);
  const content = checkContent(input, input.kind === 'marketing' && (await marketingEnabled(trx, pageId)));
  const scheduleAt = scheduleOf(input.schedule_at);
  if ((input.segment_id === undefined) === (input.filter === undefined))
    throw refusal('audience_required', 'give segment_id or filter (exactly one)', 'segment_id');
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
  return {
    name,
    kind: input.kind,
    segment_id: input.segment_id ?? null,
    filter,
    message: content.message === null ? null : JSON.stringify(content.message),
    template: content.template === null ? null : JSON.stringify(content.template),
    variants: JSON.stringify(content.variants),
    schedule_at: scheduleAt,
    max_per_second: campaignRate(input.max_per_second, firstKind),
    variantCount: content.variants.length,
  };
}
