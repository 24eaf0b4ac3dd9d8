import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { ErrorBody, errorResponses, IdParams, ListOf, pagingProperties } from '../schema-types.ts';
import { listProducts, upsertProduct } from '../../modules/orders/catalogue.ts';
import { checkOrderStatus } from '../../modules/orders/check-order-status.ts';
import { linkOrder } from '../../modules/orders/link-order.ts';
import { listContactOrders, listPageOrders } from '../../modules/orders/read-orders.ts';
import { storeOrder } from '../../modules/orders/store-order.ts';
import { listContactInterests } from '../../modules/interests/interests.ts';
import {
  InterestSchema,
  OrderBody,
  OrderSchema,
  ProductBody,
  ProductSchema,
  StatusCheckBody,
  StatusCheckSchema,
} from './orders.schemas.ts';

/**
 * A Page's catalogue and orders (written by the shop: owners, admins and their tokens), a contact's orders and
 * interests (anyone who may read contacts), an agent's link of an order to a contact, and the order-status check.
 */
export const orderRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['orders'];

  app.post(
    '/api/v1/pages/:pageId/products',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          'Create or replace a catalogue product by sku (owner or admin; audited): 201 when new, 200 when replaced',
        params: IdParams('pageId'),
        body: ProductBody,
        response: { 200: ProductSchema, 201: ProductSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { product, created } = await upsertProduct(ctx, req.actor!, req.params.pageId, req.body);
      return reply.code(created ? 201 : 200).send(product);
    },
  );

  app.get(
    '/api/v1/pages/:pageId/products',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A Page's catalogue in sku order, optionally one category",
        params: IdParams('pageId'),
        querystring: Type.Object({ ...pagingProperties, category: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: ListOf(ProductSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { data, nextCursor } = await listProducts(ctx, req.actor!, req.params.pageId, {
        ...(req.query.category !== undefined && { category: req.query.category }),
        cursor,
        limit,
      });
      return listBody(data, nextCursor);
    },
  );

  app.post(
    '/api/v1/pages/:pageId/orders',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          'Store an order, idempotent by external_id (owner or admin; audited): 201 when new, 200 for a re-post (changed fields updated); 409 when contact_id differs from its linked contact',
        params: IdParams('pageId'),
        body: OrderBody,
        response: { 200: OrderSchema, 201: OrderSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { order, created } = await storeOrder(ctx, req.actor!, req.params.pageId, req.body);
      return reply.code(created ? 201 : 200).send(order);
    },
  );

  app.get(
    '/api/v1/pages/:pageId/orders',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A Page's orders, newest first; `external_id` finds one by the shop's order number",
        params: IdParams('pageId'),
        querystring: Type.Object({
          ...pagingProperties,
          external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        }),
        response: { 200: ListOf(OrderSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { data, nextCursor } = await listPageOrders(ctx, req.actor!, req.params.pageId, {
        ...(req.query.external_id !== undefined && { externalId: req.query.external_id }),
        cursor,
        limit,
      });
      return listBody(data, nextCursor);
    },
  );

  app.post(
    '/api/v1/pages/:pageId/orders/status-check',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          'Order status by order number plus email or last name (tokens and agents): the same answer shape whether or not the order exists',
        params: IdParams('pageId'),
        body: StatusCheckBody,
        response: { 200: StatusCheckSchema, ...errorResponses },
      },
    },
    async (req) => checkOrderStatus(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.post(
    '/api/v1/orders/:orderId/link',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'Link an order to a contact of its Page (agents; audited); 409 when it is linked to someone else',
        params: IdParams('orderId'),
        body: Type.Object({ contact_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        response: { 200: OrderSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => linkOrder(ctx, req.actor!, req.params.orderId, req.body.contact_id),
  );

  app.get(
    '/api/v1/contacts/:contactId/orders',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A contact's orders with their lines, newest first",
        params: IdParams('contactId'),
        querystring: Type.Object(pagingProperties),
        response: { 200: ListOf(OrderSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { data, nextCursor } = await listContactOrders(ctx, req.actor!, req.params.contactId, { cursor, limit });
      return listBody(data, nextCursor);
    },
  );

  app.get(
    '/api/v1/contacts/:contactId/interests',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A contact's derived interests (categories bought, payloads clicked, refs followed), strongest first",
        params: IdParams('contactId'),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
        response: { 200: Type.Object({ data: Type.Array(InterestSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listContactInterests(ctx, req.actor!, req.params.contactId, req.query.limit) }),
  );
};
