import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  DateTime,
  errorResponses,
  IdParams,
  ListOf,
  NullableDateTime,
  PagingQuery,
  StringEnum,
} from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { presentPage } from '../../modules/pages/page.presenter.ts';
import { getPage, listPages } from '../../modules/pages/list-pages.ts';
import { registerPage } from '../../modules/pages/register-page.ts';
import { getMarketingSetting, setMarketingSetting } from '../../modules/pages/marketing-messages.ts';

export const PageSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: StringEnum(['active', 'token_invalid', 'disabled'], {
    description: 'token_invalid: Meta rejected the access token (code 190); sends wait until a new token is registered',
  }),
  token_invalid_since: NullableDateTime({
    description: 'when Meta first rejected the token; null unless token_invalid',
  }),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const MarketingSettingSchema = Type.Object({
  page_id: Type.String(),
  enabled: Type.Boolean({ description: "the operator's switch; false until turned on with Meta's permission" }),
  ad_account_id: Type.Union([Type.String(), Type.Null()], { description: 'the ad account billed, digits' }),
  daily_budget: Type.Union([Type.Integer(), Type.Null()], {
    description: "each marketing campaign's daily budget at Meta, in cents of the ad account's currency",
  }),
  permission_checked_at: NullableDateTime({ description: 'when Meta last confirmed the permission' }),
  updated_at: NullableDateTime(),
});

const MarketingSettingBody = Type.Object(
  {
    enabled: Type.Boolean(),
    ad_account_id: Type.Optional(Type.String({ maxLength: 30 })),
    daily_budget: Type.Optional(Type.Integer({ minimum: 100 })),
  },
  { additionalProperties: false },
);

const RegisterPageBody = Type.Object(
  { id: Type.String(), name: Type.String(), access_token: Type.String() },
  { additionalProperties: false },
);

export const pageRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary: 'Pages this token may see',
        querystring: PagingQuery,
        response: { 200: ListOf(PageSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listPages(ctx, req.actor!, cursor, limit);
      return listBody(rows.map(presentPage), nextCursor);
    },
  );

  app.get(
    '/api/v1/pages/:pageId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary: 'One Page',
        params: IdParams('pageId'),
        response: { 200: PageSchema, ...errorResponses },
      },
    },
    async (req) => presentPage(await getPage(ctx, req.actor!, req.params.pageId)),
  );

  app.post(
    '/api/v1/pages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary:
          'Register a Page with its Page access token (stored encrypted); registering it again replaces the token',
        body: RegisterPageBody,
        response: { 200: PageSchema, 201: PageSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { page, created } = await registerPage(ctx, req.actor!, req.body);
      return reply.status(created ? 201 : 200).send(presentPage(page));
    },
  );

  app.get(
    '/api/v1/pages/:pageId/marketing-messages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary: "The Page's paid Marketing Messages setting (off unless turned on)",
        params: IdParams('pageId'),
        response: { 200: MarketingSettingSchema, ...errorResponses },
      },
    },
    async (req) => getMarketingSetting(ctx, req.actor!, req.params.pageId),
  );

  app.put(
    '/api/v1/pages/:pageId/marketing-messages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary:
          "Turn the Page's paid Marketing Messages on (with the ad account and daily budget; only when Meta says the " +
          'token carries paid_marketing_messages or marketing_messages_messenger, else 422 ' +
          'marketing_permission_missing) or off; owners and admins; audited',
        params: IdParams('pageId'),
        body: MarketingSettingBody,
        response: { 200: MarketingSettingSchema, ...errorResponses },
      },
    },
    async (req) => setMarketingSetting(ctx, req.actor!, req.params.pageId, req.body),
  );
};
