import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; request_id: string; details?: Record<string, unknown> };
}

export function errorBody(code: string, message: string, requestId: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, request_id: requestId, ...(details ? { details } : {}) } };
}

/**
 * The one place errors become HTTP answers. A client's mistake gets a 4xx with a stable code; anything unexpected
 * is a 500 carrying only the request id, and the stack goes to the log (which holds no personal data).
 */
export function handleError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const id = String(req.id);
  if (isAppError(err)) {
    if (err.status >= 500) req.log.error({ err, code: err.code }, 'request failed');
    void reply.status(err.status).send(errorBody(err.code, err.message, id, err.details));
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    void reply.status(400).send(errorBody('validation_failed', `invalid request: ${fe.message}`, id));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.status(413).send(errorBody('payload_too_large', 'the request body is larger than this endpoint accepts', id));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    void reply.status(415).send(errorBody('unsupported_media_type', 'send the body as application/json', id));
    return;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    void reply.status(fe.statusCode).send(errorBody('bad_request', 'the request could not be read: check that the body is valid JSON', id));
    return;
  }
  req.log.error({ err }, 'unexpected error');
  void reply.status(500).send(errorBody('internal', 'internal error; quote the request id when reporting it', id));
}
