import type { RouteModule } from '../app.ts';
import { errorResponses, errorSchema } from '../openapi.ts';
import { presentDelivery, presentQueuedDelivery } from '../../modules/messaging/delivery.presenter.ts';
import { getDelivery, sendMessage, type SendMessageInput } from '../../modules/messaging/send-message.ts';
import { MAX_QUICK_REPLIES } from '../../modules/messaging/message-body.ts';

const queuedSchema = {
  type: 'object',
  properties: {
    delivery: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        status: { type: 'string' },
        messaging_type: { type: ['string', 'null'] },
        tag: { type: ['string', 'null'] },
      },
      required: ['id', 'status', 'messaging_type', 'tag'],
    },
  },
  required: ['delivery'],
} as const;

const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped'] },
    contact_id: { type: 'string' },
    author: { type: 'string', enum: ['agent', 'automation', 'campaign'] },
    messaging_type: { type: ['string', 'null'] },
    tag: { type: ['string', 'null'] },
    attempts: { type: 'integer' },
    message_id: { type: 'string', description: "Meta's message id, once sent" },
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, meta_code: { type: 'integer' }, meta_subcode: { type: 'integer' } },
      required: ['code', 'message'],
    },
    created_at: { type: 'string', format: 'date-time' },
    sent_at: { type: ['string', 'null'], format: 'date-time' },
    delivered_at: { type: ['string', 'null'], format: 'date-time' },
    read_at: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'status', 'contact_id', 'author', 'messaging_type', 'tag', 'attempts', 'created_at'],
} as const;

const sendBody = {
  type: 'object',
  properties: {
    text: { type: 'string', description: 'fewer than 2000 characters; exactly one of text or attachment' },
    attachment: { type: 'object', additionalProperties: true, description: 'Send API attachment: {type, payload}' },
    quick_replies: { type: 'array', maxItems: MAX_QUICK_REPLIES, items: { type: 'object', additionalProperties: true } },
    author: { type: 'string', enum: ['agent', 'automation'], default: 'agent' },
    idempotency_key: { type: 'string', minLength: 1, maxLength: 200 },
  },
  additionalProperties: false,
} as const;

export const messagingRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/contacts/:contactId/messages',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message to a contact: checked against the sending policy, queued, and sent in the background',
        params: { type: 'object', properties: { contactId: { type: 'string' } }, required: ['contactId'] },
        body: sendBody,
        response: { 202: queuedSchema, ...errorResponses, 409: errorSchema, 422: errorSchema },
      },
    },
    async (req, reply) => {
      const { contactId } = req.params as { contactId: string };
      const { delivery } = await sendMessage(ctx, req.actor!, contactId, (req.body ?? {}) as SendMessageInput);
      return reply.status(202).send({ delivery: presentQueuedDelivery(delivery) });
    },
  );

  app.get(
    '/api/v1/deliveries/:deliveryId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messages'],
        summary: 'One delivery: its status, Meta message id once sent, and the error or skip reason',
        params: { type: 'object', properties: { deliveryId: { type: 'string' } }, required: ['deliveryId'] },
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (req) => presentDelivery(await getDelivery(ctx, req.actor!, (req.params as { deliveryId: string }).deliveryId)),
  );
};
