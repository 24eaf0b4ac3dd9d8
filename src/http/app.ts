import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppContext } from '../kernel/context.ts';
import type { Actor } from '../modules/access/actor.ts';
import { authenticateRequest } from './session-auth.ts';
import { authFailures } from '../modules/access/auth-failures.ts';
import { AppError } from '../errors.ts';
import { errorBody, handleError } from './error-answers.ts';
import { methodsOf, parseQueryNumbers } from './request-shape.ts';
import { rawRouteServer, type RawRoute } from './raw-routes.ts';
import { openApiInfo } from './openapi.ts';
import { healthRoutes } from './routes/health.ts';
import { pageRoutes } from './routes/pages.ts';
import { auditRoutes } from './routes/audit.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Exact bytes of a JSON body, for signature checks. */
    rawBody?: Buffer;
    /** Set by the auth hook on routes with `config.auth: 'token'`. */
    actor?: Actor;
  }
  interface FastifyInstance {
    /** Hot routes answered by node:http ahead of Fastify on the real server (see raw-routes.ts). */
    rawRoutes: RawRoute[];
    /** Every route registered, for tests that check each one (auth, Page scope, schemas). */
    routeTable: {
      method: string;
      url: string;
      auth: 'token' | 'public' | undefined;
      schema: FastifySchema | undefined;
    }[];
  }
  interface FastifyContextConfig {
    /**
     * 'token': a bearer token or a session cookie required (every /api/v1 route but the OpenAPI document and sign-in);
     * 'public' otherwise.
     */
    auth?: 'token' | 'public';
  }
}

/** A route plugin: registers routes on the server, given the app's context. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext) => void | Promise<void>;

export interface BuildServerOptions {
  /** Extra route modules (webhook, messaging, privacy …) registered beside the core ones. */
  routes?: RouteModule[];
  bodyLimit?: number;
}

const REQUEST_ID = /^[A-Za-z0-9_.:-]{8,100}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The HTTP server: one error handler, request ids, security headers, raw-body JSON, auth on /api/v1. */
export async function buildServer(ctx: AppContext, opts: BuildServerOptions = {}): Promise<FastifyInstance> {
  const rawRoutes: RawRoute[] = [];
  const app = Fastify({
    serverFactory: rawRouteServer(() => rawRoutes, ctx.config.http, ctx.logger),
    loggerInstance: ctx.logger as unknown as FastifyBaseLogger,
    // One line per finished request (onResponse below) instead of Fastify's two, with the route pattern, not the URL.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // No coercion: `{"text": 5}` is a 400 naming the field, never the text "5". Query strings are all text on the
    // wire; numbers among them are parsed by `parseQueryNumbers` below, explicitly.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  // One JSON parser for the whole server that keeps the exact bytes: the webhook signature is over them.
  // Invalid UTF-8 is refused, not read with replacement characters that would then be stored and sent.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return done(new AppError('bad_request', 'the request body is not valid UTF-8'), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('bad_request', 'the request body is not valid JSON'), undefined);
    }
  });

  app.decorate('rawRoutes', rawRoutes);
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routeTable.push({
        method,
        url: r.url,
        auth: (r.config as { auth?: 'token' | 'public' } | undefined)?.auth,
        schema: r.schema,
      });
  });

  app.setErrorHandler(handleError);
  // Failed authentications are counted in memory and written every few seconds, and once more on close.
  const failures = authFailures(ctx);
  failures.start();
  app.addHook('onClose', () => failures.close());
  app.setNotFoundHandler((req, reply) => {
    const allowed = methodsOf(routeTable, req.url);
    if (allowed.length > 0) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send(
          errorBody(
            'method_not_allowed',
            `${req.method} is not allowed here; this path accepts ${allowed.join(', ')}`,
            String(req.id),
          ),
        );
      return;
    }
    void reply.status(404).send(errorBody('not_found', 'no such route', String(req.id)));
  });
  app.addHook('preValidation', async (req) => parseQueryNumbers(req));
  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ route, method: req.method, status: String(reply.statusCode) });
    if (reply.statusCode >= 500 || ctx.logger.isLevelEnabled('debug')) {
      req.log.info(
        { route, method: req.method, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.auth === 'token') {
      req.actor = await authenticateRequest(ctx, req, reply);
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
      },
    },
    hsts: false,
  });
  await app.register(swagger, { openapi: openApiInfo(ctx) });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  for (const mod of [
    healthRoutes,
    pageRoutes,
    auditRoutes,
    tokenRoutes,
    authRoutes,
    userRoutes,
    ...(opts.routes ?? []),
  ])
    await mod(app, ctx);
  return app;
}
