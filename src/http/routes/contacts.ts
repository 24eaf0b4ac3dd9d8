import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { errorResponses, IdParams, ListOf, pagingProperties, Psid, StringEnum } from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import {
  findContactByPsid,
  getContact,
  listContacts,
  revealContactIdentifiers,
} from '../../modules/contacts/read-contacts.ts';
import { contactActivity } from '../../modules/contacts/contact-activity.ts';
import { mergeContacts, splitContact } from '../../modules/contacts/merge-contacts.ts';
import { listContactMessages } from '../../modules/conversations/list-messages.ts';
import { ContactActivitySchema, ContactIdentifiersSchema, ContactSchema, MessageSchema } from './contacts.schemas.ts';

const ContactParams = IdParams('contactId');

/** `identifiers=false`: leave the PSID and picture URL out, and with them the audited identifier read. */
const identifiers = Type.Optional(
  StringEnum(['true', 'false'], {
    default: 'true',
    description:
      '`false` leaves out the PSID and picture URL (and audits no identifier read); ask for them with GET /api/v1/contacts/{contactId}/identifiers',
  }),
);

/** Contacts and their history: the core of the REST API. Thin: parse, call one command, answer. */
export const contactRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/contacts',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary:
          'Contacts of one Page, newest first; `q` matches the start of name words (accents and case ignored), `status` keeps one state',
        params: IdParams('pageId'),
        querystring: Type.Object({
          ...pagingProperties,
          q: Type.Optional(Type.String({ maxLength: 200 })),
          status: Type.Optional(StringEnum(['active', 'unreachable'])),
          identifiers,
        }),
        response: { 200: ListOf(ContactSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listContacts(ctx, req.actor!, req.params.pageId, {
        q: req.query.q?.trim() || null,
        status: req.query.status,
        identifiers: req.query.identifiers !== 'false',
        cursor,
        limit,
      });
      return listBody(rows, nextCursor);
    },
  );

  app.get(
    '/api/v1/pages/:pageId/contacts/by-psid/:psid',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary:
          'Find a contact by its Page-scoped id: owners, admins and agents (audited; the PSID and picture_url only for identifier readers; other roles 403)',
        params: Type.Object({ pageId: Type.String(), psid: Psid() }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (req) => findContactByPsid(ctx, req.actor!, req.params.pageId, req.params.psid),
  );

  app.get(
    '/api/v1/contacts/:contactId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary: 'One contact',
        params: ContactParams,
        querystring: Type.Object({ identifiers }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (req) =>
      getContact(ctx, req.actor!, req.params.contactId, { identifiers: req.query.identifiers !== 'false' }),
  );

  app.get(
    '/api/v1/contacts/:contactId/identifiers',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary:
          'The contact\'s PSID and picture URL, read on purpose ("Show PSID"): identifier readers only, every read audited',
        params: ContactParams,
        response: { 200: ContactIdentifiersSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await revealContactIdentifiers(ctx, req.actor!, req.params.contactId)),
  );

  app.get(
    '/api/v1/contacts/:contactId/activity',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary:
          'What the person did before: first and last seen, last message each way, message counts, their conversation (history readers)',
        params: ContactParams,
        response: { 200: ContactActivitySchema, ...errorResponses },
      },
    },
    async (req) => contactActivity(ctx, req.actor!, req.params.contactId),
  );

  app.get(
    '/api/v1/contacts/:contactId/messages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary: 'Conversation history, newest first (`order=asc`: oldest first)',
        params: ContactParams,
        querystring: Type.Object({ ...pagingProperties, order: Type.Optional(StringEnum(['asc', 'desc'])) }),
        response: { 200: ListOf(MessageSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listContactMessages(
        ctx,
        req.actor!,
        req.params.contactId,
        req.query.order ?? 'desc',
        cursor,
        limit,
      );
      return listBody(rows, nextCursor);
    },
  );

  app.post(
    '/api/v1/contacts/:contactId/merge',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary: 'Merge this contact into another contact of the same Page (owner or admin; history kept, audited)',
        params: ContactParams,
        body: Type.Object(
          { into: Type.String({ minLength: 1, description: 'the id of the contact that remains' }) },
          { additionalProperties: false },
        ),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (req) => mergeContacts(ctx, req.actor!, req.params.contactId, req.body.into),
  );

  app.post(
    '/api/v1/contacts/:contactId/split',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['contacts'],
        summary: 'Undo a merge: the contact stands alone again (owner or admin; audited)',
        params: ContactParams,
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (req) => splitContact(ctx, req.actor!, req.params.contactId),
  );
};
