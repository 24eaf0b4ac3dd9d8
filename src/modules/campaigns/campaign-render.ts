// One recipient's campaign message, rendered from what is known of them when it is queued (or previewed): the
// approved template in their language (utility), or their variant with its variables filled, its recommendations
// block turned into a carousel of products for them, its loyalty offer into the coupon of their tier with their code.
// Reads only; the sender stores what it returns (the delivery, the coupon code) in its transaction.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import type { MessageKind } from '../messaging/send.policy.ts';
import { pageLoyaltyTiers } from '../recommendations/loyalty-tiers.ts';
import type { LoyaltyTiers } from '../recommendations/loyalty.policy.ts';
import { loyaltyTier, recommendProducts } from '../recommendations/recommendations.ts';
import { utilityText } from '../templates/templates.ts';
import {
  carouselMessage,
  couponMessage,
  newCouponCode,
  type LoyaltyOfferBlock,
  type RecommendationsBlock,
} from './campaign-blocks.ts';
import { lookupFor, personalise, sampleText, type RecipientData } from './campaign-message.ts';
import type { StoredVariant } from './campaign.presenter.ts';
import { renderUtility, templateParameters, UtilityTemplates, type CampaignTemplate } from './utility-template.ts';

export type RenderSkip =
  'no_template_language' | 'template_parameters_mismatch' | 'empty_message' | 'no_recommendations' | 'no_loyalty_tier';

export type Rendered =
  | {
      ok: true;
      message: Record<string, unknown>;
      kind: MessageKind;
      /** The coupon code the person was given (a loyalty offer), to keep on their recipient row. */
      couponCode: string | null;
      /** What a preview shows: the text a person reads first. */
      text: string | null;
    }
  | { ok: false; reason: RenderSkip };

/** What rendering a campaign needs once per turn: the campaign, its templates and the Page's tiers (read once). */
export class CampaignRenderer {
  readonly #variants: StoredVariant[];
  readonly #utility: { templates: UtilityTemplates; parameters: string[] } | null;
  #tiers: Promise<LoyaltyTiers | null> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly db: Executor,
    private readonly campaign: CampaignTable,
    private readonly now: number,
    /** The code a person is given (the preview shows a stand-in instead of drawing one). */
    private readonly codeFor: (existing: string | null, prefix: string | undefined) => string = (existing, prefix) =>
      existing ?? newCouponCode(prefix),
  ) {
    this.#variants = JSON.parse(campaign.variants) as StoredVariant[];
    const template = campaign.template === null ? null : (JSON.parse(campaign.template) as CampaignTemplate);
    this.#utility = template
      ? { templates: new UtilityTemplates(db, campaign.page_id, template), parameters: templateParameters(template) }
      : null;
  }

  async render(r: { variant: number; couponCode: string | null }, d: RecipientData): Promise<Rendered> {
    const lookup = lookupFor(this.ctx, d);
    if (this.#utility) {
      const template = await this.#utility.templates.forLocale(d.contact.locale);
      if (!template) return { ok: false, reason: 'no_template_language' };
      const u = renderUtility(template, this.#utility.parameters, lookup);
      if (!u.ok) return u;
      return { ok: true, message: u.message, kind: 'utility', couponCode: null, text: utilityText(template, u.values) };
    }
    const variant = this.#variants[r.variant] ?? this.#variants[0];
    if (!variant) return { ok: false, reason: 'empty_message' };
    const message = personalise(variant.message, lookup) as Record<string, unknown>;
    const { recommendations, loyalty_offer: offer, ...rest } = message;
    const quickReplies = rest.quick_replies === undefined ? {} : { quick_replies: rest.quick_replies };
    if (recommendations !== undefined) {
      const block = recommendations as RecommendationsBlock;
      const products = await recommendProducts(this.db, this.campaign.page_id, d.contact.id, block.count);
      if (products.length === 0) {
        if (block.fallback === undefined) return { ok: false, reason: 'no_recommendations' };
        return {
          ok: true,
          message: { text: block.fallback, ...quickReplies },
          kind: 'text',
          couponCode: null,
          text: block.fallback,
        };
      }
      const built = { ...carouselMessage(products, block), ...quickReplies };
      return {
        ok: true,
        message: built,
        kind: 'template',
        couponCode: null,
        text: products.map((p) => p.name).join(', '),
      };
    }
    if (offer !== undefined) {
      const block = offer as LoyaltyOfferBlock;
      this.#tiers ??= pageLoyaltyTiers(this.db, this.campaign.page_id);
      const tiers = await this.#tiers;
      if (!tiers) return { ok: false, reason: 'no_loyalty_tier' };
      const { tier } = await loyaltyTier(this.db, this.campaign.page_id, d.contact.id, tiers, this.now);
      const coupon = tier === null ? undefined : block.tiers[tier];
      if (!coupon) return { ok: false, reason: 'no_loyalty_tier' };
      const code = this.codeFor(r.couponCode, coupon.code_prefix);
      const built = { ...couponMessage(coupon, code), ...quickReplies };
      return { ok: true, message: built, kind: 'template', couponCode: code, text: `${coupon.title} (code ${code})` };
    }
    const kind = !rest.attachment
      ? 'text'
      : (rest.attachment as { type?: string }).type === 'template'
        ? 'template'
        : 'media';
    return { ok: true, message, kind, couponCode: null, text: sampleText(message) };
  }
}
