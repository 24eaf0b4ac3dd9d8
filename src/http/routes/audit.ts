import type { RouteModule } from '../app.ts';
import { errorResponses, listOf, pagingQuery } from '../openapi.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { listAuditEvents } from '../../modules/audit/list-audit-events.ts';
import { presentAuditEvent } from '../../modules/audit/audit.presenter.ts';
import { listAuthFailureCounts } from '../../modules/access/list-auth-failures.ts';

const authFailureSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['api_token', 'operator_login', 'meta_data_deletion', 'meta_deauthorize'] },
    source: { type: 'string', description: 'the client address as the server saw it' },
    reason: { type: 'string' },
    minute: { type: 'string', format: 'date-time' },
    failures: { type: 'integer' },
    last_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'kind', 'source', 'reason', 'minute', 'failures', 'last_at'],
} as const;

const auditSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'object', properties: { type: { type: 'string' }, id: { type: ['string', 'null'] } } },
    request_id: { type: ['string', 'null'] },
    action: { type: 'string' },
    outcome: { type: 'string' },
    page_id: { type: ['string', 'null'] },
    subject: { type: ['object', 'null'], properties: { type: { type: 'string' }, id: { type: ['string', 'null'] } } },
    details: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export const auditRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/audit-events',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first, with filters',
        querystring: {
          type: 'object',
          properties: {
            ...pagingQuery.properties,
            action: { type: 'string' },
            page_id: { type: 'string' },
            subject_id: { type: 'string' },
            actor_id: { type: 'string' },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
          },
        },
        response: { 200: listOf(auditSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const q = req.query as Record<string, string | undefined>;
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
      return listBody(rows.map(presentAuditEvent), nextCursor);
    },
  );

  app.get(
    '/api/v1/auth-failures',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['audit'],
        summary: 'Failed authentications counted per address, minute and reason, newest first (tokens that see every Page; kept PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS)',
        querystring: { type: 'object', properties: { ...pagingQuery.properties, since: { type: 'string', format: 'date-time' } } },
        response: { 200: listOf(authFailureSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const since = (req.query as { since?: string }).since;
      const { rows, nextCursor } = await listAuthFailureCounts(ctx, req.actor!, { limit, cursor, ...(since && { since: Date.parse(since) }) });
      return listBody(rows, nextCursor);
    },
  );
};
