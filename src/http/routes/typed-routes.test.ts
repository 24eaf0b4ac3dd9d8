// A route's schema is the one place its input is checked and the one source of its handler's types (TypeBox through
// the type provider): route files cast no request data, every route declares the parts it reads, and a request that
// breaks a schema is a 400 naming the field.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { routeModules } from '../../app/modules.ts';
import { bearer, createTestApp, type TestApp } from '../../../test/support/app.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const routeFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

/** Routes that take no body, or whose body is not JSON for a schema to check, and why. */
const NO_BODY_SCHEMA: Record<string, string> = {
  'POST /webhook': 'the exact bytes Meta signed, of any content type, checked by the signature',
  'POST /api/v1/contacts/:contactId/split': 'takes no body',
  'POST /api/v1/privacy/requests/:requestId/extend': 'takes no body',
  'POST /api/v1/auth/logout': 'takes no body',
  'POST /api/v1/conversations/:conversationId/read': 'takes no body',
  'POST /api/v1/users/:userId/login-link': 'takes no body',
  'POST /api/v1/users/:userId/disable': 'takes no body',
  'POST /api/v1/campaigns/:campaignId/preview': 'takes no body',
  'POST /api/v1/campaigns/:campaignId/start': 'takes no body',
  'POST /api/v1/campaigns/:campaignId/pause': 'takes no body',
  'POST /api/v1/campaigns/:campaignId/resume': 'takes no body',
  'POST /api/v1/campaigns/:campaignId/cancel': 'takes no body',
  'POST /api/v1/assistant/unanswered/:questionId/dismiss': 'takes no body',
};

/** Successful answers that are not JSON, so have no response schema. */
const NOT_JSON: Record<string, string> = {
  'GET /metrics': "Prometheus's text format",
  'GET /webhook': "the handshake's challenge, echoed as text",
  'POST /webhook': 'EVENT_RECEIVED, as text',
  'GET /meta/data-deletion/:code': 'an HTML page for the person',
  'GET /api/v1/openapi.json': 'the OpenAPI document itself',
  'GET /login/:token': 'a redirect (303) that sets the session cookie',
  'GET /r/:token': "a redirect (302) to a campaign link's target",
  'GET /api/v1/events/stream': 'Server-Sent Events (text/event-stream)',
  'GET /': 'the web inbox (index.html)',
  'GET /*': "the web inbox's files, and index.html for its client routes",
};

describe('typed routes', () => {
  it('finds no cast in a route file: request data is typed by the schema, not asserted', () => {
    assert.ok(routeFiles.length >= 8, `route files found: ${routeFiles.join(', ')}`);
    for (const file of routeFiles) {
      const lines = readFileSync(`${dir}/${file}`, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\*|\*)/.test(line)) return; // a doc comment's line
        // The code of the line, without its strings and its comment (their words are not code).
        const code = line
          .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
          .replace(/\/\/.*$/, '');
        // `as const` is a literal's type, not an assertion; `import * as x` is not a cast either.
        const cast = /\bas\s+(?!const\b)[A-Za-z_{([]/.exec(code.replace(/import\s+\*\s+as\s+\w+/g, ''));
        assert.equal(cast, null, `${file}:${i + 1} casts: ${line.trim()}`);
        assert.doesNotMatch(
          code,
          /<[A-Za-z{][^>]*>\s*req\./,
          `${file}:${i + 1} asserts a request's type: ${line.trim()}`,
        );
      });
    }
  });

  describe('on the whole server', () => {
    let app: TestApp;
    before(async () => {
      app = await createTestApp('sqlite', { routes: routeModules() });
    });
    after(async () => app.close());

    const ours = () => app.server.routeTable.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/api/docs'));

    it('gives every route a schema, with each path parameter declared', () => {
      assert.ok(ours().length >= 30);
      for (const r of ours()) {
        const name = `${r.method} ${r.url}`;
        assert.ok(r.schema, `${name} has no schema`);
        const names = [...r.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
        if (names.length === 0) continue;
        const params: unknown = r.schema.params;
        const declared =
          params && typeof params === 'object' && 'properties' in params && params.properties
            ? Object.keys(params.properties)
            : [];
        assert.deepEqual(declared.sort(), names.sort(), `${name} declares its path parameters`);
      }
    });

    it('gives every route that takes a body a body schema, and every JSON answer a response schema', () => {
      for (const r of ours()) {
        const name = `${r.method} ${r.url}`;
        if (['POST', 'PUT', 'PATCH'].includes(r.method) && !(name in NO_BODY_SCHEMA))
          assert.ok(r.schema?.body, `${name} has no body schema`);
        if (!(name in NOT_JSON)) assert.ok(r.schema?.response, `${name} has no response schema`);
      }
    });

    it('answers 400 naming the field when a body, a query or a path breaks the schema', async () => {
      const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
        app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
      const cases: [Awaited<ReturnType<typeof call>>, RegExp][] = [
        [
          await call('POST', '/api/v1/tokens', { name: 'desk', role: 'boss' }),
          /^invalid request: body\/role must be one of: "owner", "admin", "agent", "marketer", "analyst"$/,
        ],
        [
          await call('POST', '/api/v1/tokens', { name: 'desk', role: 'agent', expires_at: 'next week' }),
          /^invalid request: body\/expires_at must match format "date-time"$/,
        ],
        [await call('POST', '/api/v1/tokens', { role: 'agent' }), /^invalid request: body\/name is required$/],
        [
          await call('GET', '/api/v1/audit-events?since=yesterday'),
          /^invalid request: querystring\/since must match format "date-time"$/,
        ],
        [await call('GET', '/api/v1/tokens?limit=0'), /^invalid request: querystring\/limit must be >= 1$/],
        [
          await call('GET', '/api/v1/pages/1/contacts/by-psid/not-digits'),
          /^invalid request: params\/psid must match pattern/,
        ],
        [
          await call('POST', '/meta/data-deletion', { signed_request: 5 }),
          /^invalid request: body\/signed_request must be string$/,
        ],
      ];
      for (const [r, message] of cases) {
        assert.equal(r.statusCode, 400, r.body);
        const { error } = r.json();
        assert.equal(error.code, 'validation_failed');
        assert.match(error.message, message);
        assert.equal(typeof error.request_id, 'string');
      }
    });

    it('keeps the checks a schema cannot make in the command, with the same error shape', async () => {
      const r = await app.server.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(app.ownerToken),
        payload: { name: 'desk', role: 'agent', expires_in: '30d', expires_at: '2099-01-01T00:00:00Z' },
      });
      assert.equal(r.statusCode, 400);
      assert.deepEqual(Object.keys(r.json().error).sort(), ['code', 'message', 'request_id']);
      assert.equal(r.json().error.message, 'give expires_in or expires_at, not both');
    });
  });
});
