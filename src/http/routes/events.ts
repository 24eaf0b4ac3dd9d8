import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { errorResponses, StringEnum } from '../schema-types.ts';
import { AppError } from '../../errors.ts';
import { EventFeed } from '../../modules/events/event-feed.ts';
import { listEvents } from '../../modules/events/list-events.ts';
import { onEventsAppended, PG_EVENTS_CHANNEL } from '../../modules/events/events.repository.ts';

const EventSchema = Type.Object({
  seq: Type.Integer(),
  type: StringEnum([
    'message.created',
    'message.updated',
    'delivery.updated',
    'conversation.updated',
    'contact.updated',
    'campaign.updated',
  ]),
  page_id: Type.String(),
  conversation_id: Type.Optional(Type.String()),
  contact_id: Type.Optional(Type.String()),
  message_id: Type.Optional(Type.String()),
  delivery_id: Type.Optional(Type.String()),
  campaign_id: Type.Optional(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

const BATCH = 200;
/** A comment line this often keeps proxies from closing a quiet stream, and tells the client the stream is alive. */
const HEARTBEAT_MS = 15_000;

function seqOf(value: string | undefined, field: string): number | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{1,15}$/.test(value))
    throw new AppError('validation_failed', `${field} must be a sequence number this API returned`, { field });
  return Number(value);
}

/**
 * Live updates: the events after a seq (a poll), and the same as Server-Sent Events that resume from Last-Event-ID.
 * Both carry ids only and only of the Pages the reader may see; a reader too far behind gets a `reset`.
 */
export const eventRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const feed = new EventFeed(ctx.db);
  // Readers look at once when events are appended: in this thread, in the processing thread (which says so over its
  // port), or, on PostgreSQL, in any process (a NOTIFY at the commit). The feed's own polling stays the guarantee.
  // The LISTEN connection is opened by the first stream, so an app nobody follows holds none.
  const unsubscribe = onEventsAppended(() => feed.wake());
  let unlisten: (() => Promise<void>) | null = null;
  const listen = () => (unlisten ??= ctx.database.listen(PG_EVENTS_CHANNEL, () => feed.wake()));
  server.addHook('onClose', async () => {
    unsubscribe();
    await unlisten?.();
    feed.close();
  });

  app.get(
    '/api/v1/events',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['events'],
        summary:
          'Inbox events after a seq, oldest first (ids only). Without `after`: the head, to follow from. `reset: true`: refetch what you show, then follow from `next_after`',
        querystring: Type.Object({
          after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: {
          200: Type.Object({ data: Type.Array(EventSchema), next_after: Type.Integer(), reset: Type.Boolean() }),
          ...errorResponses,
        },
      },
    },
    async (req) => listEvents(ctx, req.actor!, seqOf(req.query.after, 'after'), req.query.limit ?? BATCH),
  );

  app.get(
    '/api/v1/events/stream',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['events'],
        summary:
          'The same events as Server-Sent Events (`id:` = seq, `event:` = type, `data:` = the event); resumes after Last-Event-ID (or `?after=`); `event: reset` when too far behind; a comment every 15 s',
        querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 20 })) }),
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      listen();
      const start = seqOf(req.headers['last-event-id'], 'last-event-id') ?? seqOf(req.query.after, 'after');
      let after = (await listEvents(ctx, actor, start, 1)).next_after;
      if (start !== null) after = start;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      res.write(`retry: 2000\n: following after ${after}\n\n`);
      const closed = new AbortController();
      req.raw.on('close', () => closed.abort());
      res.on('error', () => closed.abort());
      try {
        while (!closed.signal.aborted) {
          const page = await listEvents(ctx, actor, after, BATCH);
          if (page.reset)
            res.write(
              `id: ${page.next_after}\nevent: reset\ndata: ${JSON.stringify({ next_after: page.next_after })}\n\n`,
            );
          for (const e of page.data) res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          after = page.next_after;
          if (page.data.length === BATCH) continue;
          const newest = await feed.wait(after, HEARTBEAT_MS, closed.signal);
          if (newest <= after && !closed.signal.aborted) res.write(': alive\n\n');
        }
      } catch (err) {
        req.log.warn({ err: { code: err instanceof AppError ? err.code : 'stream_failed' } }, 'event stream ended');
      } finally {
        res.end();
      }
    },
  );
};
