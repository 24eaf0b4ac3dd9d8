// What a campaign would do if started now: who its audience holds, who of them start would queue and why the others
// would be left out, and its message rendered for a few real people. A saved campaign and an unsaved one (the
// editor's fields, checked as creation checks them) are previewed by the same function over the same audience query,
// the one start freezes, so a draft's figures are the saved campaign's. Reads only: nothing is written.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { campaignAudience } from './campaign-audience.ts';
import { checkedCampaign, type CreateCampaignInput } from './campaign-input.ts';
import { recipientData } from './campaign-message.ts';
import { CampaignRenderer } from './campaign-render.ts';
import { assignVariant } from './campaign.policy.ts';
import type { StoredVariant } from './campaign.presenter.ts';
import { visibleCampaign } from './campaigns.ts';

export const PREVIEW_SAMPLE = 5;

/** The id an unsaved campaign is previewed under (variants are assigned by a hash of it and the contact). */
export const UNSAVED_CAMPAIGN_ID = 'cp_unsaved';

/** One person's message as it would go now. */
export interface PreviewedMessage {
  contact_id: string;
  variant: number;
  text: string | null;
  message: Record<string, unknown> | null;
  /** Why this person would get nothing at send time, e.g. `no_template_language`. */
  reason: string | null;
}

export interface CampaignPreview {
  recipients: number;
  eligible: number;
  by_reason: Record<string, number>;
  sample: PreviewedMessage[];
  /** The message for the one contact asked for, with whether start would queue them. */
  contact?: PreviewedMessage & { in_audience: boolean; exclusion: string | null };
}

/**
 * The preview of a campaign row, saved or not: its audience counted as start freezes it, and the message rendered
 * for the first eligible few (and for `contactId`, a contact of the Page, when given). Names are opened for those
 * alone.
 */
async function previewOf(
  ctx: AppContext,
  db: Executor,
  c: CampaignTable,
  now: number,
  contactId: string | null,
): Promise<CampaignPreview> {
  let recipients = 0;
  let eligible = 0;
  const byReason: Record<string, number> = {};
  const sampleIds: string[] = [];
  let chosen: { in_audience: boolean; exclusion: string | null } = { in_audience: false, exclusion: null };
  for await (const batch of campaignAudience(ctx, db, c, now)) {
    for (const m of batch) {
      recipients++;
      if (m.contactId === contactId) chosen = { in_audience: true, exclusion: m.exclusion };
      if (m.exclusion === null) {
        eligible++;
        if (sampleIds.length < PREVIEW_SAMPLE) sampleIds.push(m.contactId);
      } else byReason[m.exclusion] = (byReason[m.exclusion] ?? 0) + 1;
    }
  }
  const variants = JSON.parse(c.variants) as StoredVariant[];
  const data = await recipientData(ctx, db, contactId === null ? sampleIds : [...sampleIds, contactId]);
  // The sample shows each person's message as it would go now; a coupon's code is drawn only when it is sent.
  const renderer = new CampaignRenderer(
    ctx,
    db,
    c,
    now,
    (existing, prefix) => existing ?? `${prefix ? `${prefix}-` : ''}XXXXXXXXXX`,
  );
  const renderFor = async (id: string): Promise<PreviewedMessage> => {
    const variant = assignVariant(
      c.id,
      id,
      variants.map((v) => v.weight),
    );
    const d = data.get(id);
    const rendered = d ? await renderer.render({ variant, couponCode: null }, d) : null;
    return {
      contact_id: id,
      variant,
      text: rendered?.ok ? rendered.text : null,
      message: rendered?.ok ? rendered.message : null,
      reason: rendered === null ? 'erased' : rendered.ok ? null : rendered.reason,
    };
  };
  const sample: PreviewedMessage[] = [];
  for (const id of sampleIds) sample.push(await renderFor(id));
  const out: CampaignPreview = { recipients, eligible, by_reason: byReason, sample };
  if (contactId !== null) out.contact = { ...(await renderFor(contactId)), ...chosen };
  return out;
}

/**
 * Who a campaign would reach if started now: the segment's members, those left out by reason, and the message
 * rendered for a few of the eligible. The same function freezes the audience at start, so the eligible set reported
 * is the set start stores (re-checked per recipient when queued). Reads only; names are opened for the sample alone.
 */
export async function previewCampaign(ctx: AppContext, actor: Actor, id: string): Promise<CampaignPreview> {
  assertCan(actor, 'campaigns:manage');
  const c = await visibleCampaign(ctx.db, actor, id);
  return previewOf(ctx, ctx.db, c, ctx.clock.now(), null);
}

/**
 * The preview of a campaign not saved yet (or a draft's edits before they are saved): the creation fields are checked
 * exactly as creation checks them (the same 400s), then previewed as the saved campaign would be. With `contact_id`
 * (a contact of the Page, else 404) the message is also rendered for that person; with `campaign_id` (a campaign of
 * the Page, else 404) people get the variants that campaign gives them. Writes nothing.
 */
export async function previewDraftCampaign(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: Omit<CreateCampaignInput, 'name'> & {
    name?: string | undefined;
    contact_id?: string | undefined;
    campaign_id?: string | undefined;
  },
): Promise<CampaignPreview> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const now = ctx.clock.now();
  const { contact_id: contactId, campaign_id: campaignId, ...fields } = input;
  // A draft's edits are previewed under its own id: each person's variant is the one the saved draft gives them.
  let id = UNSAVED_CAMPAIGN_ID;
  if (campaignId !== undefined) {
    const draft = await visibleCampaign(ctx.db, actor, campaignId);
    if (draft.page_id !== pageId) throw notFound('campaign');
    id = draft.id;
  }
  // Reads only, outside a transaction (a large audience must not hold SQLite's write lock).
  const { variantCount: _, ...checked } = await checkedCampaign(ctx, ctx.db, pageId, {
    ...fields,
    name: fields.name ?? 'Unsaved campaign',
  });
  if (contactId !== undefined) {
    const contact = await findContactById(ctx.db, contactId, [pageId]);
    if (!contact || contact.status === 'erased') throw notFound('contact');
  }
  const row: CampaignTable = {
    id,
    page_id: pageId,
    ...checked,
    status: 'draft',
    version: 0,
    created_by: actor.id,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  };
  return previewOf(ctx, ctx.db, row, now, contactId ?? null);
}
