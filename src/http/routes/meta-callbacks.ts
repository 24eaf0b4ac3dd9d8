import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../app.ts';
import type { AppContext } from '../../kernel/context.ts';
import { receiveMetaCallback } from '../../modules/privacy/receive-meta-callback.ts';
import { deletionStatus } from '../../modules/privacy/deletion-status.ts';
import {
  presentDeauthorized,
  presentDeletionCallback,
  renderDeletionStatus,
} from '../../modules/privacy/meta-callback.presenter.ts';

// Meta's callbacks are tiny forms; anything larger is not one of them.
const FORM_LIMIT = 16 * 1024;

// Optional: a callback without one is a failed authentication (counted per source), not a schema error.
const SignedRequestBody = Type.Object({ signed_request: Type.Optional(Type.String({ maxLength: 8192 })) });

/**
 * Meta's data-deletion and deauthorize callbacks (public, authenticated by the signed_request) and the deletion
 * status page. The form-body parser lives inside this plugin only, so no other route accepts form bodies.
 */
export const metaCallbackRoutes: RouteModule = async (app, ctx) => {
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    routes(scope, ctx);
  });
};

function routes(scope: FastifyInstance, ctx: AppContext): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/meta/data-deletion',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['meta'],
        summary: "Meta's data deletion request callback",
        body: SignedRequestBody,
        response: { 200: Type.Object({ url: Type.String(), confirmation_code: Type.String() }) },
      },
    },
    async (req) =>
      presentDeletionCallback(
        ctx,
        await receiveMetaCallback(ctx, 'data_deletion', req.body.signed_request, String(req.id), req.ip),
      ),
  );

  app.post(
    '/meta/deauthorize',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['meta'],
        summary: "Meta's deauthorize callback",
        body: SignedRequestBody,
        response: { 200: Type.Object({ success: Type.Literal(true) }) },
      },
    },
    async (req) => {
      await receiveMetaCallback(ctx, 'deauthorize', req.body.signed_request, String(req.id), req.ip);
      return presentDeauthorized();
    },
  );

  app.get(
    '/meta/data-deletion/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['meta'],
        summary: 'Human-readable status of a data deletion request (HTML)',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
      },
    },
    async (req, reply) => {
      const status = await deletionStatus(ctx, req.params.code);
      return reply
        .status(status ? 200 : 404)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(renderDeletionStatus(status));
    },
  );
}
