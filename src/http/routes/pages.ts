import type { RouteModule } from '../app.ts';
import { errorResponses, listOf, pagingQuery } from '../openapi.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { presentPage } from '../../modules/pages/page.presenter.ts';
import { getPage, listPages } from '../../modules/pages/list-pages.ts';
import { registerPage } from '../../modules/pages/register-page.ts';

export const pageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['active', 'token_invalid', 'disabled'], description: 'token_invalid: Meta rejected the access token (code 190); sends wait until a new token is registered' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'status', 'created_at', 'updated_at'],
} as const;

export const pageRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/pages',
    {
      config: { auth: 'token' },
      schema: { tags: ['pages'], summary: 'Pages this token may see', querystring: pagingQuery, response: { 200: listOf(pageSchema), ...errorResponses } },
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
        params: { type: 'object', properties: { pageId: { type: 'string' } }, required: ['pageId'] },
        response: { 200: pageSchema, ...errorResponses },
      },
    },
    async (req) => presentPage(await getPage(ctx, req.actor!, (req.params as { pageId: string }).pageId)),
  );

  app.post(
    '/api/v1/pages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['pages'],
        summary: 'Register a Page with its Page access token (stored encrypted); registering it again replaces the token',
        body: {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, access_token: { type: 'string' } },
          required: ['id', 'name', 'access_token'],
          additionalProperties: false,
        },
        response: { 200: pageSchema, 201: pageSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { page, created } = await registerPage(ctx, req.actor!, req.body as { id: string; name: string; access_token: string });
      return reply.status(created ? 201 : 200).send(presentPage(page));
    },
  );
};
