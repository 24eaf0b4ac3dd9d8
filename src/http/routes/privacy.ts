import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  ErrorBody,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  NullableDateTime,
  pagingProperties,
  StringEnum,
} from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { readConsent } from '../../modules/consent/ledger.ts';
import { presentConsent } from '../../modules/consent/consent.presenter.ts';
import { createPrivacyRequest } from '../../modules/privacy/create-request.ts';
import { extendPrivacyRequest } from '../../modules/privacy/extend-request.ts';
import { getPrivacyRequest, listPrivacyRequests, readRequestExport } from '../../modules/privacy/get-request.ts';
import { presentAppScopedId, presentRequest } from '../../modules/privacy/request.presenter.ts';
import { resolvePrivacyRequest, revealAppScopedId } from '../../modules/privacy/resolve-request.ts';

const TYPES = ['access', 'erasure', 'rectification'] as const;
const REGIMES = ['gdpr', 'ccpa'] as const;

const RequestSchema = Type.Object({
  id: Type.String(),
  type: StringEnum(TYPES),
  contact_id: Nullable(Type.String()),
  page_id: Type.Optional(Nullable(Type.String())),
  status: StringEnum(['pending', 'in_progress', 'completed', 'failed']),
  regime: Type.Optional(StringEnum(REGIMES)),
  source: Type.Optional(Type.String()),
  review_reason: Type.Optional(Nullable(Type.String())),
  received_at: DateTime(),
  due_at: DateTime(),
  extended: Type.Optional(Type.Boolean()),
  completed_at: NullableDateTime(),
  result: Type.Optional(Nullable(AnyObject())),
});

const ConsentSchema = Type.Object({
  contact_id: Type.String(),
  state: Type.Object({
    replies: StringEnum(['granted', 'withdrawn']),
    marketing: StringEnum(['none', 'granted', 'withdrawn']),
    topics: Type.Record(Type.String(), StringEnum(['granted', 'withdrawn']), {
      description: 'per subscription topic; absent topics were never asked',
    }),
  }),
  records: Type.Array(
    Type.Object({
      id: Type.String(),
      purpose: Type.String({ description: '`replies`, `marketing` or `topic:<name>`' }),
      action: StringEnum(['grant', 'withdraw']),
      source: Type.String(),
      event_id: Nullable(Type.String()),
      wording: Nullable(Type.String()),
      wording_version: Nullable(Type.String()),
      actor_type: Type.String(),
      actor_id: Nullable(Type.String()),
      occurred_at: DateTime(),
      recorded_at: DateTime(),
    }),
  ),
});

const CreateRequestBody = Type.Object(
  {
    type: StringEnum(TYPES),
    contact_id: Type.String({ maxLength: 100 }),
    regime: Type.Optional(StringEnum(REGIMES)),
    attributes: Type.Optional(
      AnyObject({ description: 'rectification only: attribute names to new values, null to remove' }),
    ),
  },
  { additionalProperties: false },
);

const RequestParams = IdParams('requestId', { maxLength: 100 });
const withErrors = { ...errorResponses, 409: ErrorBody, 422: ErrorBody };

/** Data subject requests (access, erasure, rectification) and the consent ledger, for tokens with privacy:manage. */
export const privacyRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/privacy/requests',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'Open a data subject request; it runs in the background (202)',
        body: CreateRequestBody,
        response: { 202: RequestSchema, ...withErrors },
      },
    },
    async (req, reply) =>
      reply.status(202).send(presentRequest(await createPrivacyRequest(ctx, req.actor!, req.body, 'api'))),
  );

  app.get(
    '/api/v1/privacy/requests',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'Data subject requests, newest first; `status` keeps one status (`open`: all but completed)',
        querystring: Type.Object({
          ...pagingProperties,
          status: Type.Optional(StringEnum(['open', 'pending', 'in_progress', 'completed', 'failed'])),
          contact_id: Type.Optional(Type.String({ maxLength: 100 })),
        }),
        response: { 200: ListOf(RequestSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listPrivacyRequests(ctx, req.actor!, cursor, limit, {
        status: req.query.status,
        contactId: req.query.contact_id,
      });
      return listBody(rows.map(presentRequest), nextCursor);
    },
  );

  app.get(
    '/api/v1/privacy/requests/:requestId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'One data subject request',
        params: RequestParams,
        response: { 200: RequestSchema, ...errorResponses },
      },
    },
    async (req) => presentRequest(await getPrivacyRequest(ctx, req.actor!, req.params.requestId)),
  );

  app.get(
    '/api/v1/privacy/requests/:requestId/export',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: "The access request's export: every piece of personal data held about the contact (each read audited)",
        params: RequestParams,
        response: { 200: AnyObject(), ...withErrors },
      },
    },
    async (req, reply) => {
      const doc = await readRequestExport(ctx, req.actor!, req.params.requestId);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${doc.contact_id}.json"`)
        .send(doc);
    },
  );

  app.post(
    '/api/v1/privacy/requests/:requestId/extend',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'Extend the deadline once, recording that the person was told now',
        params: RequestParams,
        response: { 200: RequestSchema, ...withErrors },
      },
    },
    async (req) => presentRequest(await extendPrivacyRequest(ctx, req.actor!, req.params.requestId)),
  );

  app.post(
    '/api/v1/privacy/requests/:requestId/resolve',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'Settle a request awaiting review with the contacts found (none: nothing is held)',
        params: RequestParams,
        // contact_ids is checked after the request is found, so another Page's request is a 404 whatever the body.
        body: Type.Object(
          { contact_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: RequestSchema, ...withErrors },
      },
    },
    async (req) =>
      presentRequest(await resolvePrivacyRequest(ctx, req.actor!, req.params.requestId, req.body.contact_ids)),
  );

  app.get(
    '/api/v1/privacy/requests/:requestId/app-scoped-id',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: 'The app-scoped id of a request awaiting review (identifiers permission; audited)',
        params: RequestParams,
        response: { 200: Type.Object({ app_scoped_user_id: Type.Optional(Type.String()) }), ...withErrors },
      },
    },
    async (req) => presentAppScopedId(await revealAppScopedId(ctx, req.actor!, req.params.requestId)),
  );

  app.get(
    '/api/v1/privacy/consent/:contactId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['privacy'],
        summary: "A contact's consent: the state derived from the ledger, and the ledger",
        params: IdParams('contactId'),
        response: { 200: ConsentSchema, ...errorResponses },
      },
    },
    async (req) => presentConsent(await readConsent(ctx, req.actor!, req.params.contactId)),
  );
};
