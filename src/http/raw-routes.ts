import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.ts';
import { errorAnswer, errorBody, logServerError } from './error-answers.ts';

/**
 * A route served straight from node:http, ahead of Fastify's routing, hooks and plugins. Only for a hot path whose
 * whole behaviour lives in one command (the webhook POST: Meta's retries and bursts make its cost per request
 * matter); every other route goes through Fastify. Such a route is registered on Fastify too, so `inject()` tests
 * and the real server answer alike.
 */
export interface RawRoute {
  method: string;
  path: string;
  /** Largest body read; a larger one is answered 413 without being read. */
  bodyLimit: number;
  /**
   * Bodies of this route being received at once; one more is answered 429 with Retry-After at once, unread, and its
   * connection closed. Bounds what unauthenticated senders can make the server buffer (with `bodyLimit`).
   */
  maxBodies?: number;
  /** Time to receive a whole body; a body still incomplete then is answered 408 and its connection closed. */
  bodyTimeoutMs?: number;
  handle(body: Buffer, req: IncomingMessage): Promise<{ status: number; type: string; body: string }>;
  /** Called after each answer (metrics). */
  done?(status: number): void;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{8,100}$/;

function send(res: ServerResponse, requestId: string, status: number, type: string, body: string): void {
  // A flat [name, value, …] list: node skips building and re-reading a header object.
  res.writeHead(status, [
    'content-type',
    type,
    'content-length',
    String(Buffer.byteLength(body)),
    'x-request-id',
    requestId,
    'x-content-type-options',
    'nosniff',
    'cache-control',
    'no-store',
  ]);
  res.end(body);
}

/**
 * Reads the body with plain listeners (an async iterator per request costs more than the rest of a small route).
 * `done` is called once: with the body, `too_large`, or `timeout` (what was read is dropped at once), or `aborted`
 * when the client went away first.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs: number | undefined,
  done: (body: Buffer | 'too_large' | 'timeout' | 'aborted') => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const timer = timeoutMs === undefined ? null : setTimeout(() => finish('timeout'), timeoutMs);
  const finish = (outcome: Buffer | 'too_large' | 'timeout' | 'aborted') => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    chunks.length = 0;
    req.removeListener('data', onData);
    done(outcome);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return finish('too_large');
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (!settled) finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on('close', () => finish('aborted'));
}

/** Answers without reading the rest of the body, and closes the connection once the answer is out. */
function closeAfter(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.once('finish', () => res.socket?.destroy());
}

/** Bodies being received, per route. */
const receiving = new WeakMap<RawRoute, number>();

function serve(route: RawRoute, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  const answer = (status: number, type: string, body: string) => {
    send(res, requestId, status, type, body);
    route.done?.(status);
  };
  const tooLarge = () =>
    answer(
      413,
      'application/json; charset=utf-8',
      JSON.stringify(
        errorBody('payload_too_large', 'the request body is larger than this endpoint accepts', requestId),
      ),
    );
  if (Number(req.headers['content-length'] ?? 0) > route.bodyLimit) {
    tooLarge();
    req.resume();
    return;
  }
  const busy = receiving.get(route) ?? 0;
  if (route.maxBodies !== undefined && busy >= route.maxBodies) {
    closeAfter(res);
    res.setHeader('retry-after', '1');
    return answer(
      429,
      'application/json; charset=utf-8',
      JSON.stringify(
        errorBody('rate_limited', 'too many requests are sending their bodies at once; retry shortly', requestId),
      ),
    );
  }
  receiving.set(route, busy + 1);
  readBody(req, route.bodyLimit, route.bodyTimeoutMs, (body) => {
    receiving.set(route, (receiving.get(route) ?? 1) - 1);
    if (body === 'aborted') return;
    if (body === 'too_large') return tooLarge();
    if (body === 'timeout') {
      closeAfter(res);
      return answer(
        408,
        'application/json; charset=utf-8',
        JSON.stringify(errorBody('request_timeout', 'the request body did not arrive in time', requestId)),
      );
    }
    route
      .handle(body, req)
      .then(
        (r) => answer(r.status, r.type, r.body),
        (err: unknown) => {
          // The same answers as Fastify's error handler, and the same log line for a 5xx.
          const { status, body } = errorAnswer(err, requestId);
          if (status >= 500) logServerError(logger, err, requestId, route.path);
          answer(status, 'application/json; charset=utf-8', JSON.stringify(body));
        },
      )
      .catch(() => res.destroy());
  });
}

/** Limits of the HTTP server as a whole, for every route (see the Configuration table of the README). */
export interface ServerLimits {
  /** Time to receive a whole request, headers and body (node's requestTimeout). */
  requestTimeoutMs: number;
  /** Time to receive the headers (node's headersTimeout). */
  headersTimeoutMs: number;
  /** Open connections; more are closed as they arrive (node's server.maxConnections). 0: no limit. */
  maxConnections: number;
}

/** A node:http server that answers the raw routes itself and hands every other request to Fastify. */
export function rawRouteServer(routes: () => readonly RawRoute[], limits: ServerLimits | undefined, logger: Logger) {
  return (fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    const server = createServer(
      {
        keepAliveTimeout: 65_000,
        ...(limits && {
          requestTimeout: limits.requestTimeoutMs,
          headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
        }),
      },
      (req, res) => {
        const q = req.url?.indexOf('?') ?? -1;
        const path = q === -1 ? req.url : req.url!.slice(0, q);
        const route = routes().find((r) => r.method === req.method && r.path === path);
        if (!route) return fastifyHandler(req, res);
        serve(route, req, res, logger);
      },
    );
    if (limits && limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
    return server;
  };
}
