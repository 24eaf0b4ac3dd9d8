import type { RouteModule } from '../app.ts';
import { errorResponses, listOf, pagingQuery } from '../openapi.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { readConsent } from '../../modules/consent/ledger.ts';
import { createPrivacyRequest, type CreateRequestInput } from '../../modules/privacy/create-request.ts';
import { extendPrivacyRequest } from '../../modules/privacy/extend-request.ts';
import { getPrivacyRequest, listPrivacyRequests, readRequestExport } from '../../modules/privacy/get-request.ts';
import { presentRequest } from '../../modules/privacy/request.presenter.ts';
import { resolvePrivacyRequest, revealAppScopedId } from '../../modules/privacy/resolve-request.ts';

const requestSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, type: { type: 'string', enum: ['access', 'erasure', 'rectification'] }, contact_id: { type: ['string', 'null'] },
    page_id: { type: ['string', 'null'] }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'failed'] },
    regime: { type: 'string', enum: ['gdpr', 'ccpa'] }, source: { type: 'string' }, review_reason: { type: ['string', 'null'] },
    received_at: { type: 'string', format: 'date-time' }, due_at: { type: 'string', format: 'date-time' }, extended: { type: 'boolean' },
    completed_at: { type: ['string', 'null'], format: 'date-time' }, result: { type: ['object', 'null'], additionalProperties: true },
  },
  required: ['id', 'type', 'contact_id', 'status', 'received_at', 'due_at', 'completed_at'],
} as const;

const idParams = { type: 'object', properties: { requestId: { type: 'string', maxLength: 100 } }, required: ['requestId'] } as const;
const withErrors = { ...errorResponses, 409: errorResponses[404], 422: errorResponses[404] };

/** Data subject requests (access, erasure, rectification) and the consent ledger, for tokens with privacy:manage. */
export const privacyRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/privacy/requests',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'], summary: 'Open a data subject request; it runs in the background (202)',
        body: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['access', 'erasure', 'rectification'] }, contact_id: { type: 'string', maxLength: 100 },
            regime: { type: 'string', enum: ['gdpr', 'ccpa'] }, attributes: { type: 'object', additionalProperties: true },
          },
          required: ['type', 'contact_id'], additionalProperties: false,
        },
        response: { 202: requestSchema, ...withErrors },
      },
    },
    async (req, reply) => reply.status(202).send(presentRequest(await createPrivacyRequest(ctx, req.actor!, req.body as CreateRequestInput, 'api'))),
  );

  app.get(
    '/api/v1/privacy/requests',
    { config: { auth: 'token' }, schema: { tags: ['privacy'], summary: 'Data subject requests, newest first', querystring: pagingQuery, response: { 200: listOf(requestSchema), ...errorResponses } } },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listPrivacyRequests(ctx, req.actor!, cursor, limit);
      return listBody(rows.map(presentRequest), nextCursor);
    },
  );

  app.get(
    '/api/v1/privacy/requests/:requestId',
    { config: { auth: 'token' }, schema: { tags: ['privacy'], summary: 'One data subject request', params: idParams, response: { 200: requestSchema, ...errorResponses } } },
    async (req) => presentRequest(await getPrivacyRequest(ctx, req.actor!, (req.params as { requestId: string }).requestId)),
  );

  app.get(
    '/api/v1/privacy/requests/:requestId/export',
    {
      config: { auth: 'token' },
      schema: { tags: ['privacy'], summary: "The access request's export: every piece of personal data held about the contact (each read audited)", params: idParams, response: { 200: { type: 'object', additionalProperties: true }, ...withErrors } },
    },
    async (req, reply) => {
      const doc = await readRequestExport(ctx, req.actor!, (req.params as { requestId: string }).requestId);
      return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${doc.contact_id}.json"`).send(doc);
    },
  );

  app.post(
    '/api/v1/privacy/requests/:requestId/extend',
    { config: { auth: 'token' }, schema: { tags: ['privacy'], summary: 'Extend the deadline once, recording that the person was told now', params: idParams, response: { 200: requestSchema, ...withErrors } } },
    async (req) => presentRequest(await extendPrivacyRequest(ctx, req.actor!, (req.params as { requestId: string }).requestId)),
  );

  app.post(
    '/api/v1/privacy/requests/:requestId/resolve',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'], summary: 'Settle a request awaiting review with the contacts found (none: nothing is held)', params: idParams,
        // contact_ids is checked after the request is found, so another Page's request is a 404 whatever the body.
        body: { type: 'object', properties: { contact_ids: { type: 'array', items: { type: 'string' }, maxItems: 100 } }, additionalProperties: false },
        response: { 200: requestSchema, ...withErrors },
      },
    },
    async (req) => presentRequest(await resolvePrivacyRequest(ctx, req.actor!, (req.params as { requestId: string }).requestId, (req.body as { contact_ids?: string[] } | undefined)?.contact_ids)),
  );

  app.get(
    '/api/v1/privacy/requests/:requestId/app-scoped-id',
    {
      config: { auth: 'token' },
      schema: { tags: ['privacy'], summary: "The app-scoped id of a request awaiting review (identifiers permission; audited)", params: idParams, response: { 200: { type: 'object', properties: { app_scoped_user_id: { type: 'string' } } }, ...withErrors } },
    },
    async (req) => ({ app_scoped_user_id: await revealAppScopedId(ctx, req.actor!, (req.params as { requestId: string }).requestId) }),
  );

  app.get(
    '/api/v1/privacy/consent/:contactId',
    {
      config: { auth: 'token' },
      schema: { tags: ['privacy'], summary: "A contact's consent: the state derived from the ledger, and the ledger", params: { type: 'object', properties: { contactId: { type: 'string' } }, required: ['contactId'] } },
    },
    async (req) => readConsent(ctx, req.actor!, (req.params as { contactId: string }).contactId),
  );
};
