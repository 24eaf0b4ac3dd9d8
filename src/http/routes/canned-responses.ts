import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { DateTime, ErrorBody, errorResponses, IdParams } from '../schema-types.ts';
import {
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  MAX_CANNED_TEXT_CHARS,
  SHORTCUT_PATTERN,
  updateCannedResponse,
} from '../../modules/canned-responses/canned-responses.ts';

const Shortcut = () =>
  Type.String({
    pattern: SHORTCUT_PATTERN,
    description: 'typed after "/" in the composer: 1 to 32 of a-z, 0-9, "_" and "-"; unique per Page',
  });
const Text = () =>
  Type.String({
    minLength: 1,
    maxLength: MAX_CANNED_TEXT_CHARS,
    description:
      'may use {{contact.first_name}}, {{contact.last_name}}, {{contact.name}}, {{agent.email}}, each with a default: {{contact.first_name|there}}',
  });

export const CannedResponseSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  shortcut: Type.String(),
  text: Type.String(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

/** A Page's canned responses: list (who may read its messages), create, change, delete (owners and admins; audited). */
export const cannedResponseRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/canned-responses',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['canned responses'],
        summary: "A Page's canned responses, by shortcut (variables unfilled)",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(CannedResponseSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listCannedResponses(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/canned-responses',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['canned responses'],
        summary: 'A new canned response (owner or admin; audited); 409 when the Page has the shortcut already',
        params: IdParams('pageId'),
        body: Type.Object({ shortcut: Shortcut(), text: Text() }, { additionalProperties: false }),
        response: { 201: CannedResponseSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const created = await createCannedResponse(ctx, req.actor!, req.params.pageId, req.body);
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/v1/canned-responses/:cannedResponseId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['canned responses'],
        summary: "Change a canned response's shortcut or text (owner or admin; audited)",
        params: IdParams('cannedResponseId'),
        body: Type.Object(
          { shortcut: Type.Optional(Shortcut()), text: Type.Optional(Text()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: CannedResponseSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => updateCannedResponse(ctx, req.actor!, req.params.cannedResponseId, req.body),
  );

  app.delete(
    '/api/v1/canned-responses/:cannedResponseId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['canned responses'],
        summary: 'Delete a canned response (owner or admin; audited)',
        params: IdParams('cannedResponseId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteCannedResponse(ctx, req.actor!, req.params.cannedResponseId);
      return reply.code(204).send(null);
    },
  );
};
