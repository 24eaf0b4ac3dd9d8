import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../kernel/context.ts';
import { ConfigError } from '../config/config.ts';
import type { ErrorCode } from '../errors.ts';
import { constantTimeEqual } from '../crypto/index.ts';
import { errorBody } from './error-answers.ts';

/** Whether a request may read /metrics: always without PAGESCOPE_METRICS_TOKEN, else only with it as bearer token. */
export function metricsAllowed(ctx: AppContext, authorization: string | undefined): boolean {
  const token = ctx.config.metrics?.token ?? null;
  if (token === null) return true;
  const given = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  return given !== undefined && constantTimeEqual(given, token);
}

export const METRICS_UNAUTHENTICATED = 'GET /metrics needs Authorization: Bearer <PAGESCOPE_METRICS_TOKEN>';

/**
 * /metrics on its own address (PAGESCOPE_METRICS_LISTEN), e.g. 127.0.0.1 only while the API faces the internet; a
 * process without the web role gets its metrics this way too. It answers nothing but GET /metrics.
 */
export async function startMetricsServer(
  ctx: AppContext,
  listen: { host: string; port: number },
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const json = (status: number, code: ErrorCode, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(errorBody(code, message, randomUUID())));
    };
    if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== '/metrics')
      return json(404, 'not_found', 'this address serves GET /metrics only');
    if (!metricsAllowed(ctx, req.headers.authorization)) return json(401, 'unauthenticated', METRICS_UNAUTHENTICATED);
    ctx.metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => json(500, 'internal', 'internal error'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error & { code?: string }) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL'
          ? new ConfigError(
              'PAGESCOPE_METRICS_LISTEN',
              `${listen.host}:${listen.port} cannot be used (${err.code === 'EADDRINUSE' ? 'another process listens there' : 'no such local address'}); choose another address`,
            )
          : err,
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
