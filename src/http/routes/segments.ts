import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AnyObject, DateTime, ErrorBody, errorResponses, IdParams, Nullable, StringEnum } from '../schema-types.ts';
import { ContactSchema } from './contacts.schemas.ts';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  MAX_PREVIEW_SAMPLE,
  MAX_SEGMENT_NAME_CHARS,
  previewSegment,
  updateSegment,
} from '../../modules/segments/segments.ts';
import { listSegmentFields } from '../../modules/segments/segment-fields-list.ts';
import { MAX_CONDITIONS, MAX_DEPTH, MAX_IN_VALUES } from '../../modules/segments/segment-filter.ts';
import { OPS } from '../../modules/segments/segment-fields.ts';

const Filter = () =>
  AnyObject({
    description:
      `{"all": [filter…]}, {"any": [filter…]}, {"not": filter} or a condition {"field", "op", "value"?}; at most ` +
      `${MAX_DEPTH} levels deep, ${MAX_CONDITIONS} conditions, ${MAX_IN_VALUES} values in an "in" list. ` +
      'GET …/segments/fields lists the fields and the ops each takes; an unknown field or an op that does not fit ' +
      'it is a 400 naming it.',
  });
const Name = () => Type.String({ minLength: 1, maxLength: MAX_SEGMENT_NAME_CHARS, description: 'unique per Page' });

export const SegmentSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  filter: Filter(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const FieldSchema = Type.Object({
  field: Type.String({ description: 'tag, attribute.<key>, orders.count, …' }),
  type: StringEnum(['string', 'number', 'integer', 'date', 'boolean', 'enum'], {
    description: 'the kind of value: dates are RFC 3339 (within_days and before_days take a number of days)',
  }),
  ops: Type.Array(StringEnum(OPS)),
  values: Type.Array(Type.String(), { description: 'the allowed values (enum) or the values worth suggesting' }),
  personal: Type.Boolean({ description: 'a personal attribute: compared for equality only, no values suggested' }),
});

/** Segments: preview a filter, list the fields for the builder, and save, change and delete named segments. */
export const segmentRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/pages/:pageId/segments/preview',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary:
          'How many contacts a filter holds, and a page of them newest first: exactly those a campaign on it would freeze',
        params: IdParams('pageId'),
        body: Type.Object(
          {
            filter: Filter(),
            limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PREVIEW_SAMPLE, default: 20 })),
            cursor: Type.Optional(Type.String({ description: "the previous answer's next_cursor" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            count: Type.Integer(),
            sample: Type.Array(ContactSchema),
            next_cursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => previewSegment(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.get(
    '/api/v1/pages/:pageId/segments/fields',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: "The fields a segment can use, their ops, and suggested values (the Page's tags, skus, attributes…)",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(FieldSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listSegmentFields(ctx, req.actor!, req.params.pageId) }),
  );

  app.get(
    '/api/v1/pages/:pageId/segments',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: "A Page's saved segments, by name",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(SegmentSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listSegments(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/segments',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: 'Save a named segment (owner, admin or marketer; audited); 409 when the Page has the name already',
        params: IdParams('pageId'),
        body: Type.Object({ name: Name(), filter: Filter() }, { additionalProperties: false }),
        response: { 201: SegmentSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createSegment(ctx, req.actor!, req.params.pageId, req.body)),
  );

  app.get(
    '/api/v1/segments/:segmentId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: 'One saved segment',
        params: IdParams('segmentId'),
        response: { 200: SegmentSchema, ...errorResponses },
      },
    },
    async (req) => getSegment(ctx, req.actor!, req.params.segmentId),
  );

  app.patch(
    '/api/v1/segments/:segmentId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: 'Rename a segment or change its filter (owner, admin or marketer; audited)',
        params: IdParams('segmentId'),
        body: Type.Object(
          { name: Type.Optional(Name()), filter: Type.Optional(Filter()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SegmentSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => updateSegment(ctx, req.actor!, req.params.segmentId, req.body),
  );

  app.delete(
    '/api/v1/segments/:segmentId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['segments'],
        summary: 'Delete a saved segment (owner, admin or marketer; audited)',
        description:
          'A segment that a draft or scheduled campaign will read when it starts is refused with 409 `conflict`, `details.reason: "in_use"` and `details.campaigns` ({id, name, status}).',
        params: IdParams('segmentId'),
        response: { 204: Type.Null(), 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteSegment(ctx, req.actor!, req.params.segmentId);
      return reply.code(204).send(null);
    },
  );
};
