import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../app.ts';
import type { AppContext } from '../../kernel/context.ts';
import { receiveMetaCallback, statusUrl } from '../../modules/privacy/receive-meta-callback.ts';
import { deletionStatus, type DeletionStatus } from '../../modules/privacy/deletion-status.ts';

// Meta's callbacks are tiny forms; anything larger is not one of them.
const FORM_LIMIT = 16 * 1024;

const signedRequestBody = {
  type: 'object',
  properties: { signed_request: { type: 'string', maxLength: 8192 } },
} as const;

/**
 * Meta's data-deletion and deauthorize callbacks (public, authenticated by the signed_request) and the deletion
 * status page. The form-body parser lives inside this plugin only, so no other route accepts form bodies.
 */
export const metaCallbackRoutes: RouteModule = async (app, ctx) => {
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    routes(scope, ctx);
  });
};

function routes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/meta/data-deletion',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['meta'], summary: "Meta's data deletion request callback", body: signedRequestBody,
        response: { 200: { type: 'object', properties: { url: { type: 'string' }, confirmation_code: { type: 'string' } }, required: ['url', 'confirmation_code'] } },
      },
    },
    async (req) => {
      const body = (req.body ?? {}) as { signed_request?: unknown };
      const cb = await receiveMetaCallback(ctx, 'data_deletion', body.signed_request, String(req.id), req.ip);
      return { url: statusUrl(ctx, cb.confirmation_code), confirmation_code: cb.confirmation_code };
    },
  );

  app.post(
    '/meta/deauthorize',
    { config: { auth: 'public' }, schema: { tags: ['meta'], summary: "Meta's deauthorize callback", body: signedRequestBody } },
    async (req) => {
      const body = (req.body ?? {}) as { signed_request?: unknown };
      await receiveMetaCallback(ctx, 'deauthorize', body.signed_request, String(req.id), req.ip);
      return { success: true };
    },
  );

  app.get(
    '/meta/data-deletion/:code',
    { config: { auth: 'public' }, schema: { tags: ['meta'], summary: 'Human-readable status of a data deletion request', params: { type: 'object', properties: { code: { type: 'string', maxLength: 64 } }, required: ['code'] } } },
    async (req, reply) => {
      const status = await deletionStatus(ctx, (req.params as { code: string }).code);
      return reply.status(status ? 200 : 404).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderStatus(status));
    },
  );
}

const TITLES: Record<DeletionStatus['state'], string> = {
  received: 'Request received',
  in_progress: 'Deletion in progress',
  needs_review: 'Being reviewed',
  completed: 'Deletion complete',
};

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Our own sentences and dates only: nothing here comes from the request or the person. */
function renderStatus(s: DeletionStatus | null): string {
  const title = s ? TITLES[s.state] : 'Request not found';
  const body = s
    ? `<p>${s.message}</p><p>Received on ${day(s.receivedAt)}${s.completedAt ? `; completed on ${day(s.completedAt)}` : ''}.</p>`
    : '<p>We could not find a deletion request with this confirmation code. Check the link Facebook gave you.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}
