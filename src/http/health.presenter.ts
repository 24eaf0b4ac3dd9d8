import { errorBody, type ErrorBody } from './error-answers.ts';

// The answers of /healthz and /readyz. A failing /readyz is the one 5xx that explains itself (an operator or a
// load balancer reads it, and it holds no data), so it is built here rather than by the error handler, which says
// nothing but a request id for every 5xx.

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

/** /healthz: the process answers. */
export function presentLive() {
  return { status: 'ok' as const };
}

/** /readyz when every check passed. */
export function presentReady(database: string) {
  return { status: 'ready' as const, database };
}

/** /readyz (503) when some check failed: a sentence for the operator and the stable codes in `details.reasons`. */
export function presentNotReady(reasons: string[], requestId: string): ErrorBody {
  return errorBody('not_ready', `not ready: ${reasons.map((r) => REASONS[r] ?? r).join('; ')}`, requestId, { reasons });
}
