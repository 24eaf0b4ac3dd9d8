import type { RouteModule } from '../app.ts';
import { errorBody } from '../errors.ts';

/** Liveness, readiness (the database answers) and Prometheus metrics; none of them needs a token. */
export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', { schema: { hide: true }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { auth: 'public' } }, async (req, reply) => {
    try {
      await ctx.database.ping();
      return { status: 'ready', database: ctx.database.dialect };
    } catch {
      return reply.status(503).send(errorBody('not_ready', 'the database is not reachable', String(req.id)));
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'public' } }, async (_req, reply) => {
    void reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
