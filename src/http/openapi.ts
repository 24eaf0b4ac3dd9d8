import type { SwaggerOptions } from '@fastify/swagger';
import type { AppContext } from '../kernel/context.ts';

/** The OpenAPI 3.1 document's frame; each route contributes its own schema (TypeBox, see schema-types.ts). */
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
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'pagescope_session' },
      },
      schemas: {},
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}
