import type { RouteModule } from '../app.ts';
import { errorResponses, listOf, pagingQuery } from '../openapi.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { AppError } from '../../errors.ts';
import { findContactByPsid, getContact, listContacts } from '../../modules/contacts/read-contacts.ts';
import { mergeContacts, splitContact } from '../../modules/contacts/merge-contacts.ts';
import { listContactMessages } from '../../modules/conversations/list-messages.ts';
import { contactSchema, messageSchema } from './contacts.schemas.ts';

const idParam = (name: string) => ({ type: 'object', properties: { [name]: { type: 'string' } }, required: [name] }) as const;

/** Contacts and their history: the core of the REST API. Thin: parse, call one command, answer. */
export const contactRoutes: RouteModule = (app, ctx) => {
  app.get('/api/v1/pages/:pageId/contacts', {
    config: { auth: 'token' },
    schema: {
      tags: ['contacts'], summary: 'Contacts of one Page, newest first; `q` matches the start of name words (accents and case ignored)',
      params: idParam('pageId'),
      querystring: { ...pagingQuery, properties: { ...pagingQuery.properties, q: { type: 'string', maxLength: 200 } } },
      response: { 200: listOf(contactSchema), ...errorResponses },
    },
  }, async (req) => {
    const { limit, cursor } = parsePaging(req.query);
    const q = (req.query as { q?: string }).q?.trim() || null;
    const { rows, nextCursor } = await listContacts(ctx, req.actor!, (req.params as { pageId: string }).pageId, q, cursor, limit);
    return listBody(rows, nextCursor);
  });

  app.get('/api/v1/pages/:pageId/contacts/by-psid/:psid', {
    config: { auth: 'token' },
    schema: {
      tags: ['contacts'], summary: 'Find a contact by its Page-scoped id: owners, admins and agents (audited; the PSID and picture_url only for identifier readers; other roles 403)',
      params: { type: 'object', properties: { pageId: { type: 'string' }, psid: { type: 'string', pattern: '^[0-9]{1,32}$' } }, required: ['pageId', 'psid'] },
      response: { 200: contactSchema, ...errorResponses },
    },
  }, async (req) => {
    const { pageId, psid } = req.params as { pageId: string; psid: string };
    return findContactByPsid(ctx, req.actor!, pageId, psid);
  });

  app.get('/api/v1/contacts/:contactId', {
    config: { auth: 'token' },
    schema: { tags: ['contacts'], summary: 'One contact', params: idParam('contactId'), response: { 200: contactSchema, ...errorResponses } },
  }, async (req) => getContact(ctx, req.actor!, (req.params as { contactId: string }).contactId));

  app.get('/api/v1/contacts/:contactId/messages', {
    config: { auth: 'token' },
    schema: {
      tags: ['contacts'], summary: 'Conversation history, newest first (`order=asc`: oldest first)', params: idParam('contactId'),
      querystring: { ...pagingQuery, properties: { ...pagingQuery.properties, order: { type: 'string', enum: ['asc', 'desc'] } } },
      response: { 200: listOf(messageSchema), ...errorResponses },
    },
  }, async (req) => {
    const { limit, cursor } = parsePaging(req.query);
    const order = (req.query as { order?: 'asc' | 'desc' }).order ?? 'desc';
    const { rows, nextCursor } = await listContactMessages(ctx, req.actor!, (req.params as { contactId: string }).contactId, order, cursor, limit);
    return listBody(rows, nextCursor);
  });

  app.post('/api/v1/contacts/:contactId/merge', {
    config: { auth: 'token' },
    schema: {
      tags: ['contacts'], summary: 'Merge this contact into another contact of the same Page (owner or admin; history kept, audited)', params: idParam('contactId'),
      body: { type: 'object', properties: { into: { type: 'string' } }, required: ['into'], additionalProperties: false },
      response: { 200: contactSchema, ...errorResponses },
    },
  }, async (req) => {
    const into = (req.body as { into: string }).into;
    if (!into) throw new AppError('validation_failed', 'into must be a contact id');
    return mergeContacts(ctx, req.actor!, (req.params as { contactId: string }).contactId, into);
  });

  app.post('/api/v1/contacts/:contactId/split', {
    config: { auth: 'token' },
    schema: { tags: ['contacts'], summary: 'Undo a merge: the contact stands alone again (owner or admin; audited)', params: idParam('contactId'), response: { 200: contactSchema, ...errorResponses } },
  }, async (req) => splitContact(ctx, req.actor!, (req.params as { contactId: string }).contactId));
};
