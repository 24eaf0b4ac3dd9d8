import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { DateTime, ErrorBody, errorResponses, IdParams, StringEnum } from '../schema-types.ts';
import { LABEL_COLORS } from '../../modules/labels/label-names.ts';
import { presentLabel } from '../../modules/labels/label.presenter.ts';
import { createLabel, deleteLabel, listLabels, updateLabel } from '../../modules/labels/labels.ts';

export const LabelSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  color: StringEnum(LABEL_COLORS),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const Name = Type.String({ minLength: 1, maxLength: 50 });
const Color = StringEnum(LABEL_COLORS, { description: 'the colour the inbox shows it in' });

/**
 * A Page's label definitions: anyone who sees the Page reads them; owners and admins (`pages:write`) define, rename
 * and delete them. Renaming renames the label on the Page's conversations; deleting takes it off them.
 */
export const labelRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/labels',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['labels'],
        summary: "A Page's labels, by name",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(LabelSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: (await listLabels(ctx, req.actor!, req.params.pageId)).map(presentLabel) }),
  );

  app.post(
    '/api/v1/pages/:pageId/labels',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['labels'],
        summary:
          'Define a label (owner, admin). Once a Page has labels, conversations can be given only defined ones; 409 when the name exists in any case',
        params: IdParams('pageId'),
        body: Type.Object({ name: Name, color: Type.Optional(Color) }, { additionalProperties: false }),
        response: { 201: LabelSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(presentLabel(await createLabel(ctx, req.actor!, req.params.pageId, req.body))),
  );

  app.patch(
    '/api/v1/labels/:labelId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['labels'],
        summary:
          "Rename a label or change its colour (owner, admin); a new name is renamed on the Page's conversations",
        params: IdParams('labelId'),
        body: Type.Object(
          { name: Type.Optional(Name), color: Type.Optional(Color) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: LabelSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => presentLabel(await updateLabel(ctx, req.actor!, req.params.labelId, req.body)),
  );

  app.delete(
    '/api/v1/labels/:labelId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['labels'],
        summary: "Delete a label (owner, admin); it is taken off the Page's conversations",
        params: IdParams('labelId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteLabel(ctx, req.actor!, req.params.labelId);
      return reply.code(204).send(null);
    },
  );
};
