import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  errorResponses,
  ListOf,
  Nullable,
  pagingProperties,
  StringEnum,
} from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { actorEmails, listAuditEvents } from '../../modules/audit/list-audit-events.ts';
import { presentAuditEvent } from '../../modules/audit/audit.presenter.ts';
import { listAuthFailureCounts } from '../../modules/access/list-auth-failures.ts';
import { presentAuthFailure } from '../../modules/access/auth-failure.presenter.ts';

const AuthFailureSchema = Type.Object({
  id: Type.String(),
  kind: StringEnum(['api_token', 'operator_login', 'meta_data_deletion', 'meta_deauthorize']),
  source: Type.String({ description: 'the client address as the server saw it' }),
  reason: Type.String(),
  minute: DateTime(),
  failures: Type.Integer(),
  last_at: DateTime(),
});

const AuditSchema = Type.Object({
  id: Type.Optional(Type.String()),
  at: Type.Optional(DateTime()),
  actor: Type.Optional(
    Type.Object({
      type: Type.Optional(Type.String()),
      id: Type.Optional(Nullable(Type.String())),
      email: Type.Optional(Type.String({ description: 'the operator who acted (actors of type user)' })),
    }),
  ),
  request_id: Type.Optional(Nullable(Type.String())),
  action: Type.Optional(Type.String()),
  outcome: Type.Optional(Type.String()),
  page_id: Type.Optional(Nullable(Type.String())),
  subject: Type.Optional(
    Nullable(Type.Object({ type: Type.Optional(Type.String()), id: Type.Optional(Nullable(Type.String())) })),
  ),
  details: Type.Optional(Nullable(AnyObject())),
});

const AuditQuery = Type.Object({
  ...pagingProperties,
  action: Type.Optional(Type.String()),
  page_id: Type.Optional(Type.String()),
  subject_id: Type.Optional(Type.String()),
  actor_id: Type.Optional(Type.String()),
  since: Type.Optional(DateTime()),
  until: Type.Optional(DateTime()),
});

export const auditRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/audit-events',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first, with filters',
        querystring: AuditQuery,
        response: { 200: ListOf(AuditSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const q = req.query;
      const { rows, nextCursor } = await listAuditEvents(ctx, req.actor!, {
        limit,
        cursor,
        action: q.action,
        pageId: q.page_id,
        subjectId: q.subject_id,
        actorId: q.actor_id,
        since: q.since ? Date.parse(q.since) : undefined,
        until: q.until ? Date.parse(q.until) : undefined,
      });
      const emails = await actorEmails(ctx, rows);
      return listBody(
        rows.map((r) => presentAuditEvent(r, emails)),
        nextCursor,
      );
    },
  );

  app.get(
    '/api/v1/auth-failures',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['audit'],
        summary:
          'Failed authentications counted per address, minute and reason, newest first (tokens that see every Page; kept PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS)',
        querystring: Type.Object({ ...pagingProperties, since: Type.Optional(DateTime()) }),
        response: { 200: ListOf(AuthFailureSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { since } = req.query;
      const { rows, nextCursor } = await listAuthFailureCounts(ctx, req.actor!, {
        limit,
        cursor,
        ...(since && { since: Date.parse(since) }),
      });
      return listBody(rows.map(presentAuthFailure), nextCursor);
    },
  );
};
