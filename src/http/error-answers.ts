import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCode, isAppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../lib/logger.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: Record<string, unknown> };
}

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: Record<string, unknown>,
): ErrorBody {
  return { error: { code, message, request_id: requestId, ...(details ? { details } : {}) } };
}

const INTERNAL = 'internal error; quote the request id when reporting it';
const UNAVAILABLE = 'temporarily unavailable; try again later, and quote the request id if it persists';

/** The stack's frames without its first line: an exception's message may quote data, its frames only name code. */
function framesOf(err: unknown): string | undefined {
  const stack = (err as Error | null)?.stack;
  if (typeof stack !== 'string') return undefined;
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .map((l) => l.trim())
    .join('\n');
}

/**
 * Logs a failure the client cannot fix: the error's class, its code and stack frames, and the request id, never its
 * message unless it is an AppError (whose messages hold no personal data by rule).
 */
export function logServerError(
  logger: Logger | FastifyRequest['log'],
  err: unknown,
  requestId: string,
  route: string,
): void {
  const known = isAppError(err);
  logger.error(
    {
      request_id: requestId,
      route,
      error_class: (err as Error | null)?.constructor?.name ?? typeof err,
      code: known ? err.code : errorCode(err),
      ...(known && { message: err.message }),
      frames: framesOf(err),
    },
    known ? 'request failed' : 'unexpected error',
  );
}

/**
 * The one mapping from a thrown error to an HTTP answer, shared by Fastify and the raw routes. A client's mistake
 * gets a 4xx with a stable code and a message naming what to fix; every 5xx says `internal`, a generic sentence and
 * the request id, whatever was thrown (the cause goes to the log).
 */
export function errorAnswer(err: unknown, requestId: string): { status: number; body: ErrorBody } {
  const status = statusOf(err);
  if (status >= 500) return { status, body: errorBody('internal', status === 503 ? UNAVAILABLE : INTERNAL, requestId) };
  if (isAppError(err)) return { status, body: errorBody(err.code, err.message, requestId, err.details) };
  const fe = err as FastifyError;
  if (fe.validation) return { status, body: errorBody('validation_failed', validationMessage(fe), requestId) };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status,
      body: errorBody('payload_too_large', 'the request body is larger than this endpoint accepts', requestId),
    };
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { status, body: errorBody('unsupported_media_type', 'send the body as application/json', requestId) };
  return {
    status,
    body: errorBody('bad_request', 'the request could not be read: check that the body is valid JSON', requestId),
  };
}

function statusOf(err: unknown): number {
  if (isAppError(err)) return err.status;
  const fe = err as FastifyError | null;
  if (fe?.validation) return 400;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 413;
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 415;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return fe.statusCode;
  return 500;
}

/**
 * Ajv's first error as a sentence that names the property (`body/text must be string`) and, for an enum, the values
 * allowed; never the value sent (it may be personal data).
 */
function validationMessage(fe: FastifyError): string {
  const v = fe.validation?.[0] as
    { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string } | undefined;
  if (!v) return `invalid request: ${fe.message}`;
  const where = (fe.validationContext ?? 'request') + (v.instancePath ?? '');
  const p = v.params ?? {};
  if (v.keyword === 'required') return `invalid request: ${where}/${String(p.missingProperty)} is required`;
  if (v.keyword === 'additionalProperties')
    return `invalid request: ${where}/${String(p.additionalProperty)} is not a known property`;
  if (v.keyword === 'enum')
    return `invalid request: ${where} must be one of: ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  if (v.keyword === 'type') return `invalid request: ${where} must be ${[p.type].flat().join(' or ')}`;
  return `invalid request: ${where} ${v.message ?? 'is invalid'}`;
}

/** Fastify's error handler: the shared mapping, and a log line for every 5xx. */
export function handleError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const id = String(req.id);
  const { status, body } = errorAnswer(err, id);
  if (status >= 500) logServerError(req.log, err, id, req.routeOptions.url ?? 'unmatched');
  const retryAfter = body.error.details?.retry_after_seconds;
  if (status === 429 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  void reply.status(status).send(body);
}
