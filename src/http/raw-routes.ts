import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.ts';
import { errorAnswer, errorBody, logServerError } from './errors.ts';

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
  handle(body: Buffer, req: IncomingMessage): Promise<{ status: number; type: string; body: string }>;
  /** Called after each answer (metrics). */
  done?(status: number): void;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{8,100}$/;

function send(res: ServerResponse, requestId: string, status: number, type: string, body: string): void {
  // A flat [name, value, …] list: node skips building and re-reading a header object.
  res.writeHead(status, [
    'content-type', type,
    'content-length', String(Buffer.byteLength(body)),
    'x-request-id', requestId,
    'x-content-type-options', 'nosniff',
    'cache-control', 'no-store',
  ]);
  res.end(body);
}

/** Reads the body with plain listeners (an async iterator per request costs more than the rest of a small route). */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      req.removeListener('data', onData);
      req.resume();
      done(null);
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (!over) done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
}

function serve(route: RawRoute, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  const answer = (status: number, type: string, body: string) => {
    send(res, requestId, status, type, body);
    route.done?.(status);
  };
  const tooLarge = () => answer(413, 'application/json; charset=utf-8', JSON.stringify(errorBody('payload_too_large', 'the request body is larger than this endpoint accepts', requestId)));
  if (Number(req.headers['content-length'] ?? 0) > route.bodyLimit) {
    tooLarge();
    req.resume();
    return;
  }
  readBody(req, route.bodyLimit, (body) => {
    if (body === null) return tooLarge();
    route.handle(body, req).then(
      (r) => answer(r.status, r.type, r.body),
      (err: unknown) => {
        // The same answers as Fastify's error handler, and the same log line for a 5xx.
        const { status, body } = errorAnswer(err, requestId);
        if (status >= 500) logServerError(logger, err, requestId, route.path);
        answer(status, 'application/json; charset=utf-8', JSON.stringify(body));
      },
    ).catch(() => res.destroy());
  });
}

/** A node:http server that answers the raw routes itself and hands every other request to Fastify. */
export function rawRouteServer(routes: () => readonly RawRoute[], logger: Logger) {
  return (fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void): Server =>
    createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      const q = req.url?.indexOf('?') ?? -1;
      const path = q === -1 ? req.url : req.url!.slice(0, q);
      const route = routes().find((r) => r.method === req.method && r.path === path);
      if (!route) return fastifyHandler(req, res);
      serve(route, req, res, logger);
    });
}
