import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  ErrorBody,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  NullableDateTime,
  pagingProperties,
  StringEnum,
} from '../schema-types.ts';
import { ifMatchVersion } from '../if-match.ts';
import { MAX_QUICK_REPLIES } from '../../modules/messaging/message-body.ts';
import {
  createCampaign,
  getCampaign,
  listCampaigns,
  listRecipients,
  MAX_CAMPAIGN_NAME_CHARS,
  MAX_VARIANTS,
} from '../../modules/campaigns/campaigns.ts';
import { previewCampaign, previewDraftCampaign } from '../../modules/campaigns/campaign-preview.ts';
import { updateCampaign } from '../../modules/campaigns/update-campaign.ts';
import { runCampaign } from '../../modules/campaigns/run-campaign.ts';
import { followTrackedLink } from '../../modules/campaigns/track-click.ts';
import { MAX_CAMPAIGN_RATE_TEXT } from '../../modules/campaigns/campaign.policy.ts';
import { MAX_CAROUSEL } from '../../modules/campaigns/campaign-blocks.ts';
import { getLoyaltyTiers, setLoyaltyTiers } from '../../modules/recommendations/loyalty-tiers.ts';
import { MAX_TIERS, MAX_WINDOW_DAYS } from '../../modules/recommendations/loyalty.policy.ts';

const LoyaltyTiersBody = Type.Object(
  {
    window_days: Type.Integer({
      minimum: 1,
      maximum: MAX_WINDOW_DAYS,
      description: 'orders placed within this many days count',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'only orders in this currency count' }),
    tiers: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
          min_orders: Type.Optional(Type.Integer({ minimum: 0 })),
          min_spend: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: MAX_TIERS,
        description: 'a person is in the highest tier whose thresholds (orders and spend) they both meet',
      },
    ),
  },
  { additionalProperties: false },
);

const LoyaltyTiersSchema = Type.Object({
  page_id: Type.String(),
  window_days: Type.Integer(),
  currency: Type.String(),
  tiers: Type.Array(Type.Object({ name: Type.String(), min_orders: Type.Integer(), min_spend: Type.Number() })),
  updated_at: NullableDateTime(),
});

const Message = () =>
  Type.Object(
    {
      text: Type.Optional(
        Type.String({
          description:
            'fewer than 2000 characters, with variables: {{contact.first_name|there}}, {{contact.name}}, ' +
            '{{attribute.<key>}}, {{orders.count}}, {{orders.last.external_id}}…',
        }),
      ),
      attachment: Type.Optional(
        AnyObject({
          description:
            'Send API attachment; web_url buttons become tracked links (GET /r/{token}), postback buttons and quick ' +
            'replies carry the campaign so that pressing one counts as a click',
        }),
      ),
      recommendations: Type.Optional(
        Type.Object(
          {
            count: Type.Integer({ minimum: 1, maximum: MAX_CAROUSEL }),
            fallback: Type.Optional(Type.String({ description: 'sent as a text to a person with no recommendation' })),
            button_title: Type.Optional(Type.String({ maxLength: 20, description: 'default "View"' })),
          },
          {
            additionalProperties: false,
            description:
              'a carousel (generic template) of up to `count` products recommended to each person (never what they ' +
              'bought, in stock), each with its price, picture and a tracked button to its page; a person with none ' +
              'gets `fallback`, or is skipped `no_recommendations`',
          },
        ),
      ),
      loyalty_offer: Type.Optional(
        Type.Object(
          {
            tiers: Type.Record(
              Type.String(),
              Type.Object(
                {
                  title: Type.String({ maxLength: 80 }),
                  subtitle: Type.Optional(Type.String({ maxLength: 80 })),
                  coupon_url: Type.Optional(Type.String()),
                  coupon_url_button_title: Type.Optional(Type.String({ maxLength: 20 })),
                  coupon_pre_message: Type.Optional(Type.String()),
                  image_url: Type.Optional(Type.String()),
                  code_prefix: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,12}$' })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          {
            additionalProperties: false,
            description:
              "Messenger's coupon template for each person's loyalty tier (the Page's tiers, PUT …/loyalty-tiers), " +
              'with a code of their own (kept on their recipient row); a person in no tier of the offer is skipped ' +
              '`no_loyalty_tier`',
          },
        ),
      ),
      quick_replies: Type.Optional(Type.Array(AnyObject(), { maxItems: MAX_QUICK_REPLIES })),
    },
    {
      additionalProperties: false,
      description: 'exactly one of text, attachment, recommendations or loyalty_offer; optional quick_replies',
    },
  );

const Stats = Type.Object({
  recipients: Type.Integer(),
  queued: Type.Integer({ description: 'frozen and not yet sent (waiting in the campaign or in the outbox)' }),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  read: Type.Integer(),
  clicked: Type.Integer({
    description: 'recipients who followed a tracked link or pressed a button or quick reply (each counted once)',
  }),
  replied: Type.Integer({ description: 'recipients who wrote within 24 hours of the send' }),
  opted_out: Type.Integer({ description: 'recipients who opted out after the send' }),
  failed: Type.Integer(),
  skipped: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
});

const CampaignSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  kind: StringEnum(['standard', 'utility', 'marketing']),
  segment_id: Nullable(Type.String()),
  filter: Nullable(AnyObject()),
  message: Nullable(AnyObject()),
  template: Nullable(AnyObject()),
  status: StringEnum(['draft', 'scheduled', 'starting', 'running', 'paused', 'completed', 'cancelled'], {
    description:
      'starting: started, its audience being frozen in the background (stats.recipients: people checked so far); ' +
      'running once audience_frozen_at is set',
  }),
  schedule_at: NullableDateTime(),
  max_per_second: Type.Integer(),
  version: Type.Integer({
    description:
      'moves with every edit of the draft: send it back as If-Match so that an edit from a stale screen is a 409',
  }),
  created_at: DateTime(),
  updated_at: DateTime(),
  started_at: NullableDateTime(),
  finished_at: NullableDateTime(),
  audience_frozen_at: NullableDateTime({
    description: 'when its whole audience was frozen; null before, and while a started campaign is still starting',
  }),
  variants: Type.Array(
    Type.Object({
      index: Type.Integer(),
      weight: Type.Number(),
      message: AnyObject(),
      stats: Type.Optional(Stats),
    }),
  ),
  stats: Type.Optional(Stats),
});

const createProperties = {
  name: Type.String({ minLength: 1, maxLength: MAX_CAMPAIGN_NAME_CHARS }),
  kind: StringEnum(['standard', 'utility', 'marketing'], {
    description:
      'standard: inside the 24-hour window, promotional allowed; utility: an approved template; marketing: a ' +
      "message through Meta's paid Marketing Message API, refused (marketing_not_enabled) unless the Page's " +
      'Marketing Messages are on (PUT /api/v1/pages/{pageId}/marketing-messages); each person needs marketing ' +
      'consent, a live subscription token, 12 hours since the last one and a region Meta serves',
  }),
  segment_id: Type.Optional(Type.String({ description: 'a saved segment of the Page (or give filter)' })),
  filter: Type.Optional(AnyObject({ description: 'a filter in the segments language (or give segment_id)' })),
  message: Type.Optional(Message()),
  template: Type.Optional(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 512 }),
        language: Type.String({ minLength: 2, maxLength: 16 }),
        parameters: Type.Optional(
          Type.Array(Type.String(), {
            description: "the body's {{1}}…{{n}} values in order, each may hold variables ({{contact.first_name}})",
          }),
        ),
      },
      {
        additionalProperties: false,
        description:
          "a utility campaign's approved template; each person gets it in their language (their locale, its " +
          'language alone, then this language), or is skipped `no_template_language`',
      },
    ),
  ),
  variants: Type.Optional(
    Type.Array(Type.Object({ weight: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), message: Message() }), {
      minItems: 1,
      maxItems: MAX_VARIANTS,
      description: 'A/B: each person gets one, by a hash of (campaign, contact) placed on the weights',
    }),
  ),
  schedule_at: Type.Optional(DateTime({ description: 'start then rather than at once' })),
  max_per_second: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_CAMPAIGN_RATE_TEXT,
      description: "sends per second (default 20), kept under the Page's limit",
    }),
  ),
  tag: Type.Optional(
    Type.String({ description: 'refused: a campaign sends no message tag (HUMAN_AGENT and the retired tags least)' }),
  ),
};

const CreateBody = Type.Object(createProperties, { additionalProperties: false });

const DraftPreviewBody = Type.Object(
  {
    ...createProperties,
    name: Type.Optional(createProperties.name),
    contact_id: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'a contact of the Page to render the message for too (404 when not on the Page)',
      }),
    ),
    campaign_id: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "a campaign of the Page whose edits these are (404 otherwise): each person's variant is the one it gives them",
      }),
    ),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    ...createProperties,
    name: Type.Optional(createProperties.name),
    kind: Type.Optional(createProperties.kind),
    schedule_at: Type.Optional(
      Nullable(DateTime({ description: 'start then rather than at once; null: no schedule' })),
    ),
  },
  {
    additionalProperties: false,
    description:
      'any creation field; the audience is one choice (segment_id or filter: giving one drops the other) and so is ' +
      'the content (message, variants or template)',
  },
);

const PreviewedMessage = {
  contact_id: Type.String(),
  variant: Type.Integer(),
  text: Nullable(Type.String({ description: 'the text the person reads first (a template: its body filled in)' })),
  message: Nullable(AnyObject({ description: 'the message as it would be sent now (a coupon code as XXXXXXXXXX)' })),
  reason: Nullable(
    Type.String({ description: 'why this person would get nothing at send time, e.g. no_template_language' }),
  ),
};

const Preview = Type.Object({
  recipients: Type.Integer({ description: "the segment's members now" }),
  eligible: Type.Integer({ description: 'those start would queue: the set it freezes' }),
  by_reason: Type.Record(Type.String(), Type.Integer(), { description: 'those left out, by reason' }),
  sample: Type.Array(Type.Object(PreviewedMessage), { description: 'the message for the first few eligible' }),
  contact: Type.Optional(
    Type.Object(
      {
        ...PreviewedMessage,
        in_audience: Type.Boolean({ description: 'whether the audience holds this person now' }),
        exclusion: Nullable(Type.String({ description: 'why start would leave them out (null: it would queue them)' })),
      },
      { description: 'the message for the contact_id asked for (the unsaved preview only)' },
    ),
  ),
});

const Recipient = Type.Object({
  contact_id: Type.String(),
  variant: Type.Integer(),
  status: StringEnum(['pending', 'queued', 'skipped', 'cancelled']),
  reason: Nullable(Type.String()),
  delivery_id: Nullable(Type.String()),
  delivery_status: Nullable(Type.String()),
  coupon_code: Nullable(Type.String({ description: 'the code of the loyalty offer this person was given' })),
  queued_at: NullableDateTime(),
  sent_at: NullableDateTime(),
  delivered_at: NullableDateTime(),
  read_at: NullableDateTime(),
  clicked_at: NullableDateTime(),
});

const ACTIONS = {
  start:
    'Start (or schedule): answers at once with the campaign `starting` while its audience is frozen in the background ' +
    '(stats.recipients counts who was checked so far), then `running` at the campaign pace; starting twice starts once',
  pause:
    'Pause a running or starting campaign: nothing more is queued until it is resumed (a starting one finishes ' +
    'freezing its audience and stays paused)',
  resume: 'Resume a paused campaign: running again, or starting if its audience was not completely frozen yet',
  cancel: 'Cancel: what was not queued yet is never sent (a starting campaign stops freezing its audience)',
} as const;

/** Campaigns: create, preview, run and watch broadcasts; and the tracked links of their messages. */
export const campaignRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/pages/:pageId/campaigns',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary:
          'Create a draft campaign (owner, admin or marketer; audited); a content that does not fit its kind is a 400 with details.reason',
        params: IdParams('pageId'),
        body: CreateBody,
        response: { 201: CampaignSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createCampaign(ctx, req.actor!, req.params.pageId, req.body)),
  );

  app.post(
    '/api/v1/pages/:pageId/campaigns/preview',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary:
          'A campaign not saved yet, previewed as the saved one would be (owner, admin or marketer; writes nothing): the creation body (name optional) checked as creation checks it, and with contact_id the message for that contact',
        params: IdParams('pageId'),
        body: DraftPreviewBody,
        response: { 200: Preview, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => previewDraftCampaign(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.get(
    '/api/v1/pages/:pageId/campaigns',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary: "A Page's campaigns, newest first (GET one for its figures)",
        params: IdParams('pageId'),
        querystring: Type.Object(pagingProperties),
        response: { 200: ListOf(CampaignSchema), ...errorResponses },
      },
    },
    async (req) =>
      listCampaigns(ctx, req.actor!, req.params.pageId, {
        cursor: req.query.cursor,
        limit: Math.min(req.query.limit ?? 50, 200),
      }),
  );

  app.get(
    '/api/v1/campaigns/:campaignId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary: 'A campaign with its figures, whole and per variant',
        params: IdParams('campaignId'),
        response: { 200: CampaignSchema, ...errorResponses },
      },
    },
    async (req) => getCampaign(ctx, req.actor!, req.params.campaignId),
  );

  app.patch(
    '/api/v1/campaigns/:campaignId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary:
          'Edit a draft (owner, admin or marketer; audited): any creation field, checked as creation checks it. Not a draft → 409 wrong_status; If-Match with an older version → 409 stale',
        params: IdParams('campaignId'),
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        body: PatchBody,
        response: { 200: CampaignSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) =>
      updateCampaign(
        ctx,
        req.actor!,
        req.params.campaignId,
        req.body,
        ifMatchVersion(req.headers['if-match'], 'campaign'),
      ),
  );

  app.post(
    '/api/v1/campaigns/:campaignId/preview',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary:
          'Who the campaign would reach if started now: eligible, left out by reason, and the message rendered for a few',
        params: IdParams('campaignId'),
        response: { 200: Preview, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => previewCampaign(ctx, req.actor!, req.params.campaignId),
  );

  for (const action of ['start', 'pause', 'resume', 'cancel'] as const) {
    app.post(
      `/api/v1/campaigns/:campaignId/${action}`,
      {
        config: { auth: 'token' },
        schema: {
          tags: ['campaigns'],
          summary: ACTIONS[action],
          params: IdParams('campaignId'),
          response: { 200: CampaignSchema, 409: ErrorBody, ...errorResponses },
        },
      },
      async (req) => runCampaign(ctx, req.actor!, req.params.campaignId, action),
    );
  }

  app.get(
    '/api/v1/campaigns/:campaignId/recipients',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary: "A campaign's frozen recipients, in order, with what became of each (and why when skipped)",
        params: IdParams('campaignId'),
        querystring: Type.Object({
          status: Type.Optional(StringEnum(['pending', 'queued', 'skipped', 'cancelled'])),
          ...pagingProperties,
        }),
        response: { 200: ListOf(Recipient), ...errorResponses },
      },
    },
    async (req) =>
      listRecipients(ctx, req.actor!, req.params.campaignId, {
        status: req.query.status,
        cursor: req.query.cursor,
        limit: Math.min(req.query.limit ?? 100, 200),
      }),
  );

  app.get(
    '/api/v1/pages/:pageId/loyalty-tiers',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary: "The Page's loyalty tiers (an empty list until they are set)",
        params: IdParams('pageId'),
        response: { 200: LoyaltyTiersSchema, ...errorResponses },
      },
    },
    async (req) => getLoyaltyTiers(ctx, req.actor!, req.params.pageId),
  );

  app.put(
    '/api/v1/pages/:pageId/loyalty-tiers',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['campaigns'],
        summary: "Replace the Page's loyalty tiers (owner, admin or marketer; audited)",
        params: IdParams('pageId'),
        body: LoyaltyTiersBody,
        response: { 200: LoyaltyTiersSchema, ...errorResponses },
      },
    },
    async (req) => setLoyaltyTiers(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.get(
    '/r/:token',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['campaigns'],
        summary: "A campaign message's tracked link: 302 to its target, the recipient's click counted once",
        security: [],
        params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
        response: { 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const url = await followTrackedLink(ctx, req.params.token);
      void reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
      return reply.redirect(url, 302);
    },
  );
};
