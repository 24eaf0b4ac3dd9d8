import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  DateTime,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  NullableDateTime,
  PagingQuery,
  StringEnum,
} from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { createToken } from '../../modules/access/create-token.ts';
import { getToken, listTokens } from '../../modules/access/list-tokens.ts';
import { ROLES } from '../../modules/access/roles.ts';
import { revokeToken } from '../../modules/access/revoke-token.ts';
import { expiryOf } from '../../modules/access/token-expiry.ts';
import { presentCreatedToken, presentToken } from '../../modules/access/token.presenter.ts';

export const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: StringEnum(ROLES),
  pages: Nullable(Type.Array(Type.String()), { description: 'the Pages it is limited to; null: every Page' }),
  status: StringEnum(['active', 'expired', 'revoked']),
  created_at: DateTime(),
  last_used_at: NullableDateTime({ description: 'updated at most once a minute' }),
  expires_at: NullableDateTime({ description: 'null: never expires' }),
  revoked_at: NullableDateTime(),
});

const CreatedTokenSchema = Type.Object({
  ...TokenSchema.properties,
  token: Type.String({ description: 'the secret, shown once; only its keyed hash is stored' }),
});

const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: StringEnum(ROLES),
    pages: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
    expires_in: Type.Optional(Type.String({ description: 'a duration: 90m, 12h, 30d, 2w' })),
    expires_at: Type.Optional(DateTime()),
  },
  { additionalProperties: false },
);

const TokenParams = IdParams('tokenId');

/** API tokens: list, create, read and revoke (owner and admin: `tokens:manage`). The secret is never shown again. */
export const tokenRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/tokens',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'API tokens (owner, admin): never the secret nor its hash',
        querystring: PagingQuery,
        response: { 200: ListOf(TokenSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listTokens(ctx, req.actor!, cursor, limit);
      const now = ctx.clock.now();
      return listBody(
        rows.map((r) => presentToken(r, now)),
        nextCursor,
      );
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (owner, admin); the secret is in this answer only',
        body: CreateTokenBody,
        response: { 201: CreatedTokenSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { name, role, pages, ...expiry } = req.body;
      const now = ctx.clock.now();
      const r = await createToken(ctx, req.actor!, {
        name,
        role,
        pageIds: pages ?? [],
        expiresAt: expiryOf(now, expiry),
      });
      return reply.status(201).send(presentCreatedToken(await getToken(ctx, req.actor!, r.id), r.token, now));
    },
  );

  app.get(
    '/api/v1/tokens/:tokenId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'One API token (owner, admin)',
        params: TokenParams,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (req) => presentToken(await getToken(ctx, req.actor!, req.params.tokenId), ctx.clock.now()),
  );

  app.delete(
    '/api/v1/tokens/:tokenId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token (owner, admin): from now on it answers 401. Revoking it again changes nothing',
        params: TokenParams,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (req) => presentToken(await revokeToken(ctx, req.actor!, req.params.tokenId), ctx.clock.now()),
  );
};
