import type { RouteModule } from '../app.ts';
import { errorResponses, listOf, pagingQuery } from '../openapi.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { AppError } from '../../errors.ts';
import { createToken } from '../../modules/access/create-token.ts';
import { getToken, listTokens } from '../../modules/access/list-tokens.ts';
import { revokeToken } from '../../modules/access/revoke-token.ts';
import { parseExpiresIn } from '../../modules/access/token-expiry.ts';
import { presentToken } from '../../modules/access/token.presenter.ts';
import { toIso } from '../../lib/time.ts';

const date = { type: ['string', 'null'], format: 'date-time' } as const;

export const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'admin', 'agent', 'marketer', 'analyst'] },
    pages: { type: ['array', 'null'], items: { type: 'string' }, description: 'the Pages it is limited to; null: every Page' },
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { ...date, description: 'updated at most once a minute' },
    expires_at: { ...date, description: 'null: never expires' },
    revoked_at: date,
  },
  required: ['id', 'name', 'role', 'pages', 'status', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'],
} as const;

const createdSchema = {
  type: 'object',
  properties: { ...tokenSchema.properties, token: { type: 'string', description: 'the secret, shown once; only its keyed hash is stored' } },
  required: [...tokenSchema.required, 'token'],
} as const;

const idParams = { type: 'object', properties: { tokenId: { type: 'string' } }, required: ['tokenId'] } as const;

interface CreateBody {
  name: string;
  role: string;
  pages?: string[];
  expires_in?: string;
  expires_at?: string;
}

/** API tokens: list, create, read and revoke (owner and admin: `tokens:manage`). The secret is never shown again. */
export const tokenRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/tokens',
    {
      config: { auth: 'token' },
      schema: { tags: ['tokens'], summary: 'API tokens (owner, admin): never the secret nor its hash', querystring: pagingQuery, response: { 200: listOf(tokenSchema), ...errorResponses } },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listTokens(ctx, req.actor!, cursor, limit);
      const now = ctx.clock.now();
      return listBody(rows.map((r) => presentToken(r, now)), nextCursor);
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (owner, admin); the secret is in this answer only',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: ['owner', 'admin', 'agent', 'marketer', 'analyst'] },
            pages: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
            expires_in: { type: 'string', description: 'a duration: 90m, 12h, 30d, 2w' },
            expires_at: { type: 'string', format: 'date-time' },
          },
          required: ['name', 'role'],
          additionalProperties: false,
        },
        response: { 201: createdSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = req.body as CreateBody;
      if (body.expires_in !== undefined && body.expires_at !== undefined) throw new AppError('validation_failed', 'give expires_in or expires_at, not both');
      const now = ctx.clock.now();
      const expiresAt = body.expires_in !== undefined ? now + parseExpiresIn(body.expires_in) : body.expires_at !== undefined ? Date.parse(body.expires_at) : null;
      const r = await createToken(ctx, req.actor!, { name: body.name, role: body.role, pageIds: body.pages ?? [], expiresAt });
      const created = presentToken(await getToken(ctx, req.actor!, r.id), now);
      return reply.status(201).send({ ...created, token: r.token, expires_at: toIso(r.expires_at) });
    },
  );

  app.get(
    '/api/v1/tokens/:tokenId',
    {
      config: { auth: 'token' },
      schema: { tags: ['tokens'], summary: 'One API token (owner, admin)', params: idParams, response: { 200: tokenSchema, ...errorResponses } },
    },
    async (req) => presentToken(await getToken(ctx, req.actor!, (req.params as { tokenId: string }).tokenId), ctx.clock.now()),
  );

  app.delete(
    '/api/v1/tokens/:tokenId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token (owner, admin): from now on it answers 401. Revoking it again changes nothing',
        params: idParams,
        response: { 200: tokenSchema, ...errorResponses },
      },
    },
    async (req) => presentToken(await revokeToken(ctx, req.actor!, (req.params as { tokenId: string }).tokenId), ctx.clock.now()),
  );
};
