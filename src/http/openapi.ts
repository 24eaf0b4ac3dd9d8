import type { SwaggerOptions } from '@fastify/swagger';
import type { AppContext } from '../app/context.ts';

/** The OpenAPI 3.1 document's frame; each route contributes its own schema (TypeBox, see schema-types.ts). */
export function openApiInfo(ctx: AppContext): NonNullable<Extract<SwaggerOptions, { openapi?: unknown }>['openapi']> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'pagescope REST API',
      version: '1.0.0',
      description:
        'Contacts, conversations and sends for Facebook Messenger Pages, keyed by Page-scoped IDs. Authenticate with ' +
        '`Authorization: Bearer <token>` (create one with `pagescope tokens create`). Lists are cursor-paginated: ' +
        '`?limit=&cursor=` → `{data, next_cursor}`. Errors are `{error: {code, message, request_id}}`; an object of a Page ' +
        'the token may not see answers 404, exactly like a missing one.',
    },
    servers: [{ url: ctx.config.publicUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {},
    },
    security: [{ bearer: [] }],
  };
}
