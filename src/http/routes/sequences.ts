import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  errorResponses,
  ErrorBody,
  IdParams,
  Nullable,
  NullableDateTime,
  pagingProperties,
  StringEnum,
} from '../schema-types.ts';
import { MAX_QUICK_REPLIES } from '../../modules/messaging/message-body.ts';
import { MAX_SEQUENCE_NAME_CHARS, MAX_STEPS } from '../../modules/sequences/sequence.policy.ts';
import {
  createSequence,
  deleteSequence,
  getSequence,
  listSequences,
  listSubscribers,
  subscribeContact,
  unsubscribeContact,
  updateSequence,
} from '../../modules/sequences/sequences.ts';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const Step = () =>
  Type.Object(
    {
      delay: Type.Optional(
        Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 0 })),
            hours: Type.Optional(Type.Integer({ minimum: 0 })),
            minutes: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          {
            additionalProperties: false,
            description:
              'after the previous step (the first step: after the subscription); at most 365 days; none: at once',
          },
        ),
      ),
      message: Type.Object(
        {
          text: Type.Optional(
            Type.String({
              description:
                'fewer than 2000 characters, with variables: {{contact.first_name|there}}, {{contact.name}}, ' +
                '{{attribute.<key>}}, {{orders.count}}, {{orders.last.external_id}}…',
            }),
          ),
          attachment: Type.Optional(AnyObject({ description: 'a Send API attachment' })),
          quick_replies: Type.Optional(Type.Array(AnyObject(), { maxItems: MAX_QUICK_REPLIES })),
        },
        { additionalProperties: false },
      ),
      send_window: Type.Optional(
        Nullable(
          Type.Object(
            {
              days: Type.Optional(Type.Array(StringEnum(WEEKDAYS), { minItems: 1, maxItems: 7 })),
              hours: Type.Optional(
                Type.Array(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' }), {
                  minItems: 2,
                  maxItems: 2,
                  description: '["HH:MM", "HH:MM"]: local opening and closing (closing may be 24:00)',
                }),
              ),
            },
            {
              additionalProperties: false,
              description:
                "when the step may go, in the contact's time zone (their profile's offset, else the Page's business " +
                'hours time zone, else UTC); a step due outside it waits for its next opening',
            },
          ),
        ),
      ),
    },
    { additionalProperties: false },
  );

const SequenceSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  stop_on_reply: Type.Boolean(),
  steps: Type.Array(
    Type.Object({
      delay: Type.Object({
        days: Type.Optional(Type.Integer()),
        hours: Type.Optional(Type.Integer()),
        minutes: Type.Optional(Type.Integer()),
      }),
      message: AnyObject(),
      send_window: Nullable(Type.Object({ days: Type.Array(Type.String()), hours: Type.Array(Type.String()) })),
    }),
  ),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const body = (create: boolean) => {
  const o = <T extends Parameters<typeof Type.Optional>[0]>(t: T) => (create ? t : Type.Optional(t));
  return {
    name: o(Type.String({ minLength: 1, maxLength: MAX_SEQUENCE_NAME_CHARS })),
    enabled: Type.Optional(Type.Boolean({ description: 'default true; a disabled sequence sends nothing' })),
    stop_on_reply: Type.Optional(
      Type.Boolean({ description: 'default true: any message from the person ends their subscription' }),
    ),
    steps: o(Type.Array(Step(), { minItems: 1, maxItems: MAX_STEPS })),
  };
};

const STATUSES = ['active', 'finished', 'left'];

const Subscriber = Type.Object({
  contact_id: Type.String(),
  status: StringEnum(STATUSES),
  reason: Nullable(
    Type.String({ description: 'why they left: unsubscribed, replied, opted_out, outside_window, unreachable…' }),
  ),
  round: Type.Integer({ description: '1, then one more each time an operator subscribed them again' }),
  next_step: Type.Integer({ description: 'the index of the step sent next (or the number of steps reached)' }),
  due_at: NullableDateTime(),
  subscribed_at: DateTime(),
  ended_at: NullableDateTime(),
});

const Figures = Type.Object({
  active: Type.Integer(),
  finished: Type.Integer(),
  left: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
  steps: Type.Array(
    Type.Object({
      step: Type.Integer(),
      waiting: Type.Integer({ description: 'active subscribers whose next step this is' }),
      queued: Type.Integer({ description: 'sends put in the outbox for this step' }),
      sent: Type.Integer(),
      delivered: Type.Integer(),
      read: Type.Integer(),
      failed: Type.Integer(),
      skipped: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
    }),
  ),
});

/** Follow-up sequences: steps with delays and send windows, and the people subscribed to them. */
export const sequenceRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/sequences',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: "A Page's follow-up sequences",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(SequenceSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listSequences(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/sequences',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: 'Create a sequence (owner, admin or marketer; audited); a bad step is a 400 naming the field',
        params: IdParams('pageId'),
        body: Type.Object(body(true), { additionalProperties: false }),
        response: { 201: SequenceSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createSequence(ctx, req.actor!, req.params.pageId, req.body)),
  );

  app.get(
    '/api/v1/sequences/:sequenceId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: 'One sequence',
        params: IdParams('sequenceId'),
        response: { 200: SequenceSchema, ...errorResponses },
      },
    },
    async (req) => getSequence(ctx, req.actor!, req.params.sequenceId),
  );

  app.patch(
    '/api/v1/sequences/:sequenceId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary:
          'Change its name, enabled, stop_on_reply or steps (owner, admin or marketer; audited); subscribers keep their place',
        params: IdParams('sequenceId'),
        body: Type.Object(body(false), { additionalProperties: false, minProperties: 1 }),
        response: { 200: SequenceSchema, ...errorResponses },
      },
    },
    async (req) => updateSequence(ctx, req.actor!, req.params.sequenceId, req.body),
  );

  app.delete(
    '/api/v1/sequences/:sequenceId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: 'Delete a sequence and its subscriptions: nothing more of it is sent (audited)',
        params: IdParams('sequenceId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteSequence(ctx, req.actor!, req.params.sequenceId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/sequences/:sequenceId/subscribers',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary:
          'Subscribe a contact of the Page (audited): 201 when subscribed or started over after they finished or left, ' +
          '200 when already in it; an opted-out or unreachable contact is a 409',
        params: IdParams('sequenceId'),
        body: Type.Object({ contact_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        response: { 200: Subscriber, 201: Subscriber, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await subscribeContact(ctx, req.actor!, req.params.sequenceId, req.body);
      return reply.code(r.outcome === 'unchanged' ? 200 : 201).send(r.subscriber);
    },
  );

  app.delete(
    '/api/v1/sequences/:sequenceId/subscribers/:contactId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: 'Take a contact out of the sequence (reason unsubscribed; audited)',
        params: Type.Object({ sequenceId: Type.String(), contactId: Type.String() }),
        response: { 200: Subscriber, ...errorResponses },
      },
    },
    async (req) => unsubscribeContact(ctx, req.actor!, req.params.sequenceId, req.params.contactId),
  );

  app.get(
    '/api/v1/sequences/:sequenceId/subscribers',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['sequences'],
        summary: "A sequence's subscribers (optionally of one status), with the figures of the sequence and per step",
        params: IdParams('sequenceId'),
        querystring: Type.Object({ status: Type.Optional(StringEnum(STATUSES)), ...pagingProperties }),
        response: {
          200: Type.Object({ data: Type.Array(Subscriber), next_cursor: Nullable(Type.String()), figures: Figures }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      listSubscribers(ctx, req.actor!, req.params.sequenceId, {
        status: req.query.status as 'active' | 'finished' | 'left' | undefined,
        cursor: req.query.cursor,
        limit: req.query.limit,
      }),
  );
};
