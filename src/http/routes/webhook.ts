import type { IncomingHttpHeaders } from 'node:http';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AppError } from '../../errors.ts';
import { constantTimeEqual } from '../../crypto/index.ts';
import { addReadinessCheck } from '../../kernel/readiness.ts';
import { receiveWebhook } from '../../modules/ingest/receive-webhook.ts';

// Unknown, not string: a repeated parameter (an array) is a failed handshake (403) like a wrong token, not a 400.
const HandshakeQuery = Type.Object({
  'hub.mode': Type.Optional(Type.Unknown()),
  'hub.verify_token': Type.Optional(Type.Unknown()),
  'hub.challenge': Type.Optional(Type.Unknown()),
});

function header(value: string | string[] | undefined): string | undefined {
  // A repeated signature header is ambiguous: treat it as malformed rather than pick one.
  return Array.isArray(value) ? 'repeated' : value;
}

/**
 * Meta's webhook: the GET handshake and the signed POST. The POST body is kept as exact bytes (this scope has its
 * own catch-all parser, so even a body that is not JSON reaches the signature check and gets a 403, not a 400).
 */
export const ingestRoutes: RouteModule = async (app, ctx) => {
  if (!ctx.config.meta.appSecret)
    ctx.logger.warn('META_APP_SECRET is not set: /webhook answers 503 and /readyz is not ready until it is configured');
  if (!ctx.config.meta.verifyToken)
    ctx.logger.warn(
      "META_VERIFY_TOKEN is not set: Meta's webhook handshake (GET /webhook) answers 403 until it is; set it to the verify token entered in the App Dashboard",
    );
  // The intake (spool, intake thread or group commit) was opened with the app and is closed with it.
  addReadinessCheck(ctx, 'webhook', async () =>
    ctx.config.meta.appSecret ? ctx.intake.problem() : 'webhook_secret_missing',
  );
  const received = { status: 200, type: 'text/plain; charset=utf-8', body: 'EVENT_RECEIVED' };
  const acceptPost = (raw: Buffer, headers: IncomingHttpHeaders) =>
    receiveWebhook(ctx, raw, {
      sha256: header(headers['x-hub-signature-256']),
      sha1: header(headers['x-hub-signature']),
    }).then(() => received);
  // One labelled child per status, looked up once: this runs for every POST Meta sends.
  const children = new Map<number, ReturnType<typeof ctx.metrics.httpRequests.labels>>();
  const counted = (status: number) => {
    let c = children.get(status);
    if (!c)
      children.set(
        status,
        (c = ctx.metrics.httpRequests.labels({ route: '/webhook', method: 'POST', status: String(status) })),
      );
    return c;
  };
  // On the real server Meta's POSTs skip Fastify's routing and hooks: same command, same answers, less work per request.
  app.rawRoutes.push({
    method: 'POST',
    path: '/webhook',
    bodyLimit: ctx.config.webhookMaxBytes,
    maxBodies: ctx.config.webhookMaxBodies,
    bodyTimeoutMs: ctx.config.webhookBodyTimeoutMs,
    handle: (body, req) => acceptPost(body, req.headers),
    done: (status) => counted(status).inc(),
  });
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.webhookMaxBytes }, (_req, body, done) =>
      done(null, body),
    );

    scope.get(
      '/webhook',
      { schema: { hide: true, querystring: HandshakeQuery }, config: { auth: 'public' } },
      async (req, reply) => {
        if (!ctx.config.meta.appSecret)
          throw new AppError('not_ready', 'webhook handling is not configured: set META_APP_SECRET');
        const q = req.query;
        const expected = ctx.config.meta.verifyToken;
        const token = q['hub.verify_token'];
        const challenge = q['hub.challenge'];
        const ok =
          q['hub.mode'] === 'subscribe' &&
          expected !== null &&
          typeof token === 'string' &&
          constantTimeEqual(token, expected) &&
          typeof challenge === 'string';
        if (!ok) throw new AppError('forbidden', 'verification failed: wrong hub.mode or hub.verify_token');
        return reply.status(200).type('text/plain; charset=utf-8').send(challenge);
      },
    );

    // No body schema: the body is the exact bytes Meta signed (any content type), checked by receiveWebhook.
    scope.post(
      '/webhook',
      { schema: { hide: true }, config: { auth: 'public' }, bodyLimit: ctx.config.webhookMaxBytes },
      async (req, reply) => {
        const r = await acceptPost(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.headers);
        return reply.status(r.status).type(r.type).send(r.body);
      },
    );
  });
};
