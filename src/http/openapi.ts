import type { SwaggerOptions } from '@fastify/swagger';
import type { AppContext } from '../kernel/context.ts';
import { ERROR_STATUS } from '../errors.ts';

/** Every stable error code an answer may carry (src/errors.ts is the one list; a test checks the sources use no other). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[];

/** The OpenAPI 3.1 document's frame; each route contributes its own schema. */
export function openApiInfo(ctx: AppContext): NonNullable<Extract<SwaggerOptions, { openapi?: unknown }>['openapi']> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'pagescope REST API',
      version: '1.0.0',
      description:
        'Contacts, conversations and sends for Facebook Messenger Pages, keyed by Page-scoped IDs. Authenticate with ' +
        '`Authorization: Bearer <token>` (create one with `pagescope tokens create`), or, in a browser, with the ' +
        '`pagescope_session` cookie that `POST /api/v1/auth/login` sets; a change made with the cookie must carry the ' +
        '`x-csrf-token` header (its value is in `GET /api/v1/me`). Lists are cursor-paginated: ' +
        '`?limit=&cursor=` → `{data, next_cursor}`. Errors are `{error: {code, message, request_id}}`; an object of a Page ' +
        'the token may not see answers 404, exactly like a missing one.',
    },
    servers: [{ url: ctx.config.publicUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'pagescope_session' } },
      schemas: {},
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}

/** The error envelope every failing route answers with. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: ERROR_CODES, description: 'stable snake_case; every 5xx is `internal`' },
        message: { type: 'string', description: 'what went wrong and what to do; names the field for a validation error' },
        request_id: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message', 'request_id'],
    },
  },
  required: ['error'],
} as const;

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  405: errorSchema,
  500: errorSchema,
} as const;

export function listOf(item: object) {
  return {
    type: 'object',
    properties: { data: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
    required: ['data', 'next_cursor'],
  } as const;
}

export const pagingQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, description: 'at most 200; larger values are clamped' },
    cursor: { type: 'string' },
  },
} as const;
