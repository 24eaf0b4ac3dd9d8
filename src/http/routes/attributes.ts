import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AnyObject, DateTime, ErrorBody, errorResponses, IdParams, StringEnum } from '../schema-types.ts';
import { ATTRIBUTE_TYPES, MAX_TAG } from '../../modules/attributes/attribute-values.ts';
import {
  presentContactAttributes,
  presentContactTags,
  presentDefinition,
  presentTagCount,
} from '../../modules/attributes/attribute.presenter.ts';
import { defineAttribute, listAttributeDefinitions } from '../../modules/attributes/attribute-definitions.ts';
import {
  addContactTags,
  listPageTags,
  MAX_TAGS_PER_REQUEST,
  removeContactTag,
} from '../../modules/attributes/contact-tags.ts';
import { setContactAttributes } from '../../modules/attributes/set-attributes.ts';

export const AttributeDefinitionSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  key: Type.String(),
  type: StringEnum(ATTRIBUTE_TYPES),
  personal: Type.Boolean({ description: 'values sealed like a name; segments compare them for equality only' }),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const ContactTags = Type.Object({ contact_id: Type.String(), tags: Type.Array(Type.String()) });
const ContactAttributes = Type.Object({
  contact_id: Type.String(),
  attributes: AnyObject({ description: 'every value the contact holds, by key, typed as its definition says' }),
});

/**
 * Tags and typed attributes. Agents and up (`contacts:write`) tag contacts and set their attributes; anyone who sees a
 * Page reads its definitions and tags; owners and admins (`pages:write`) define attributes.
 */
export const attributeRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/attribute-definitions',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary: "A Page's attribute definitions, by key",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(AttributeDefinitionSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      data: (await listAttributeDefinitions(ctx, req.actor!, req.params.pageId)).map(presentDefinition),
    }),
  );

  app.post(
    '/api/v1/pages/:pageId/attribute-definitions',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary:
          'Define an attribute (owner, admin): 201 when new, 200 when it exists (unchanged, or its type or personal mark changed); 409 when contacts hold values and the type or mark would change',
        params: IdParams('pageId'),
        body: Type.Object(
          {
            key: Type.String({
              minLength: 1,
              maxLength: 40,
              description: 'lowercase letters, digits and _, starting with a letter',
            }),
            type: StringEnum(ATTRIBUTE_TYPES),
            personal: Type.Optional(Type.Boolean({ default: false })),
          },
          { additionalProperties: false },
        ),
        response: { 200: AttributeDefinitionSchema, 201: AttributeDefinitionSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { definition, created } = await defineAttribute(ctx, req.actor!, req.params.pageId, req.body);
      return reply.status(created ? 201 : 200).send(presentDefinition(definition));
    },
  );

  app.get(
    '/api/v1/pages/:pageId/tags',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary: 'The tags in use on a Page, each with how many contacts carry it',
        params: IdParams('pageId'),
        response: {
          200: Type.Object({ data: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })) }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ data: (await listPageTags(ctx, req.actor!, req.params.pageId)).map(presentTagCount) }),
  );

  app.post(
    '/api/v1/contacts/:contactId/tags',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary:
          'Tag a contact (agent and up); tags are trimmed, lower-cased and their spaces collapsed, and one the contact carries already changes nothing',
        params: IdParams('contactId'),
        body: Type.Object(
          {
            tags: Type.Array(Type.String({ minLength: 1, maxLength: MAX_TAG * 4 }), {
              minItems: 1,
              maxItems: MAX_TAGS_PER_REQUEST,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: ContactTags, ...errorResponses },
      },
    },
    async (req) =>
      presentContactTags(
        req.params.contactId,
        await addContactTags(ctx, req.actor!, req.params.contactId, req.body.tags),
      ),
  );

  app.delete(
    '/api/v1/contacts/:contactId/tags/:tag',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary: 'Take a tag off a contact (agent and up); a tag it does not carry changes nothing',
        params: Type.Object({ contactId: Type.String(), tag: Type.String({ minLength: 1, maxLength: MAX_TAG * 4 }) }),
        response: { 200: ContactTags, ...errorResponses },
      },
    },
    async (req) =>
      presentContactTags(
        req.params.contactId,
        await removeContactTag(ctx, req.actor!, req.params.contactId, req.params.tag),
      ),
  );

  app.patch(
    '/api/v1/contacts/:contactId/attributes',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['attributes'],
        summary:
          'Set attribute values of a contact (agent and up): {"key": value, …}, null removes one; a key the Page does not define or a value of the wrong type is a 400 naming the key, and nothing is written',
        params: IdParams('contactId'),
        body: Type.Record(Type.String(), Type.Unknown(), { minProperties: 1, maxProperties: 100 }),
        response: { 200: ContactAttributes, ...errorResponses },
      },
    },
    async (req) =>
      presentContactAttributes(
        req.params.contactId,
        await setContactAttributes(ctx, req.actor!, req.params.contactId, req.body),
      ),
  );
};
