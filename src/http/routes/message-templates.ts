import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AnyObject, DateTime, ErrorBody, errorResponses, IdParams, Nullable, StringEnum } from '../schema-types.ts';
import { createTemplate, deleteTemplate, listTemplates } from '../../modules/templates/templates.ts';
import { LANGUAGE_PATTERN, NAME_PATTERN } from '../../modules/templates/template.policy.ts';

export const MessageTemplateSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  language: Type.String(),
  category: Type.String(),
  components: Type.Array(AnyObject()),
  status: StringEnum(['submitting', 'pending', 'approved', 'rejected'] as const, {
    description:
      "submitting: not yet accepted by Meta; pending: in Meta's review; approved or rejected: Meta's verdict",
  }),
  rejection_reason: Nullable(Type.String(), { description: "Meta's reason (review) or Meta's error (submission)" }),
  meta_id: Nullable(Type.String(), { description: "Meta's template id" }),
  created_at: DateTime(),
  updated_at: DateTime(),
});

/** A Page's utility message templates (Meta's `message_templates`): list, create (submitted to Meta), delete. */
export const messageTemplateRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/message-templates',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['message templates'],
        summary: "A Page's utility templates with Meta's review status (and Meta's reason for a rejection)",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(MessageTemplateSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listTemplates(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/message-templates',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['message templates'],
        summary:
          'A new utility template (owner, admin or marketer; audited), submitted to Meta for review; 400 naming the field for a promotional text, a quick reply or a missing sample',
        params: IdParams('pageId'),
        body: Type.Object(
          {
            name: Type.String({ pattern: NAME_PATTERN, description: 'snake_case; unique per Page and language' }),
            language: Type.String({ pattern: LANGUAGE_PATTERN, description: "Meta's locale code, e.g. en_US" }),
            category: Type.Optional(StringEnum(['UTILITY'] as const)),
            components: Type.Array(AnyObject(), {
              minItems: 1,
              maxItems: 4,
              description:
                'Meta\'s components: BODY {"text", "example": {"body_text": [[…]]}}, optional HEADER {"format": "TEXT", "text"}, FOOTER {"text"}, BUTTONS {"buttons": [POSTBACK|URL|PHONE_NUMBER ≤ 3]}',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: MessageTemplateSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const created = await createTemplate(ctx, req.actor!, req.params.pageId, req.body);
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/v1/message-templates/:templateId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['message templates'],
        summary: 'Delete a template at Meta (this language) and here (owner, admin or marketer; audited)',
        params: IdParams('templateId'),
        response: { 204: Type.Null(), 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteTemplate(ctx, req.actor!, req.params.templateId);
      return reply.code(204).send(null);
    },
  );
};
