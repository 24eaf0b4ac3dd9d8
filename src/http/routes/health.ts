import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { readinessProblems } from '../../kernel/readiness.ts';
import { AppError } from '../../errors.ts';
import { presentLive, presentNotReady, presentReady } from '../health.presenter.ts';
import { METRICS_UNAUTHENTICATED, metricsAllowed } from '../metrics-server.ts';
import { ErrorBody } from '../schema-types.ts';

/**
 * Liveness, readiness and Prometheus metrics; none of them needs an API token (/metrics takes its own,
 * PAGESCOPE_METRICS_TOKEN, when set). /readyz answers 503 with the reasons
 * (stable codes in `details.reasons`) while the database does not answer or a part registered with
 * addReadinessCheck cannot work, such as the webhook's storage.
 */
export const healthRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/healthz',
    {
      schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      config: { auth: 'public' },
    },
    async () => presentLive(),
  );
  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), 503: ErrorBody },
      },
      config: { auth: 'public' },
    },
    async (req, reply) => {
      const reasons: string[] = await ctx.database.ping().then(
        () => [],
        () => ['database_unreachable'],
      );
      reasons.push(...(await readinessProblems(ctx)));
      if (reasons.length === 0) return presentReady(ctx.database.dialect);
      return reply.status(503).send(presentNotReady(reasons, String(req.id)));
    },
  );
  // With PAGESCOPE_METRICS_LISTEN the metrics have their own address (see metrics-server.ts) and are not served here.
  if (ctx.config.metrics?.listen) return;
  // Prometheus's text format: no response schema (it is not JSON).
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'public' } }, async (req, reply) => {
    if (!metricsAllowed(ctx, req.headers.authorization)) throw new AppError('unauthenticated', METRICS_UNAUTHENTICATED);
    void reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
