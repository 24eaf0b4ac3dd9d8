import type { RouteModule } from '../app.ts';
import { readinessProblems } from '../../kernel/readiness.ts';
import { errorBody } from '../error-answers.ts';
import { METRICS_UNAUTHENTICATED, metricsAllowed } from '../metrics-server.ts';

/** What each reason of /readyz means for the operator, and what to do. */
const REASONS: Record<string, string> = {
  database_unreachable: 'the database is not reachable',
  webhook_secret_missing: 'META_APP_SECRET is not set, so webhooks cannot be checked or stored: set it and restart',
  webhook_storage_failed: 'the thread that stores webhooks failed to start: see the log',
  webhook_storage_starting: 'the thread that stores webhooks is still starting',
  redis_unreachable: 'REDIS_URL is set but Redis does not answer',
  check_timed_out: 'a check did not answer in time',
  check_failed: 'a check failed',
};

/**
 * Liveness, readiness and Prometheus metrics; none of them needs an API token (/metrics takes its own,
 * PAGESCOPE_METRICS_TOKEN, when set). /readyz answers 503 with the reasons
 * (stable codes in `details.reasons`) while the database does not answer or a part registered with
 * addReadinessCheck cannot work, such as the webhook's storage.
 */
export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', { schema: { hide: true }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { auth: 'public' } }, async (req, reply) => {
    const reasons: string[] = await ctx.database.ping().then(() => [], () => ['database_unreachable']);
    reasons.push(...(await readinessProblems(ctx)));
    if (reasons.length === 0) return { status: 'ready', database: ctx.database.dialect };
    const message = `not ready: ${reasons.map((r) => REASONS[r] ?? r).join('; ')}`;
    return reply.status(503).send(errorBody('not_ready', message, String(req.id), { reasons }));
  });
  // With PAGESCOPE_METRICS_LISTEN the metrics have their own address (see metrics-server.ts) and are not served here.
  if (ctx.config.metrics?.listen) return;
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'public' } }, async (req, reply) => {
    if (!metricsAllowed(ctx, req.headers.authorization)) return reply.status(401).send(errorBody('unauthenticated', METRICS_UNAUTHENTICATED, String(req.id)));
    void reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
