import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  ErrorBody,
  errorResponses,
  IdParams,
  Nullable,
  NullableDateTime,
  StringEnum,
} from '../schema-types.ts';
import { presentDelivery, presentQueuedSend } from '../../modules/messaging/delivery.presenter.ts';
import { getDelivery, sendMessage } from '../../modules/messaging/send-message.ts';
import { MAX_QUICK_REPLIES } from '../../modules/messaging/message-body.ts';

const QueuedSchema = Type.Object({
  delivery: Type.Object({
    id: Type.String(),
    status: Type.String(),
    messaging_type: Nullable(Type.String()),
    tag: Nullable(Type.String()),
  }),
});

const DeliverySchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped']),
  contact_id: Type.String(),
  author: StringEnum(['agent', 'automation', 'campaign']),
  messaging_type: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  attempts: Type.Integer(),
  message_id: Type.Optional(Type.String({ description: "Meta's message id, once sent" })),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      meta_code: Type.Optional(Type.Integer()),
      meta_subcode: Type.Optional(Type.Integer()),
    }),
  ),
  created_at: DateTime(),
  sent_at: NullableDateTime(),
  delivered_at: NullableDateTime(),
  read_at: NullableDateTime(),
});

// The types are checked here; the content (exactly one of text or attachment, lengths, the attachment's shape) by
// buildMessage in the command, which the CLI's `send` shares.
const SendBody = Type.Object(
  {
    text: Type.Optional(Type.String({ description: 'fewer than 2000 characters; exactly one of text or attachment' })),
    attachment: Type.Optional(AnyObject({ description: 'Send API attachment: {type, payload}' })),
    quick_replies: Type.Optional(Type.Array(AnyObject(), { maxItems: MAX_QUICK_REPLIES })),
    author: Type.Optional(StringEnum(['agent', 'automation'], { default: 'agent' })),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const messagingRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/contacts/:contactId/messages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message to a contact: checked against the sending policy, queued, and sent in the background',
        params: IdParams('contactId'),
        body: SendBody,
        response: { 202: QueuedSchema, ...errorResponses, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const { delivery } = await sendMessage(ctx, req.actor!, req.params.contactId, req.body);
      return reply.status(202).send(presentQueuedSend(delivery));
    },
  );

  app.get(
    '/api/v1/deliveries/:deliveryId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messages'],
        summary: 'One delivery: its status, Meta message id once sent, and the error or skip reason',
        params: IdParams('deliveryId'),
        response: { 200: DeliverySchema, ...errorResponses },
      },
    },
    async (req) => presentDelivery(await getDelivery(ctx, req.actor!, req.params.deliveryId)),
  );
};
