// A failure the client cannot fix says nothing but `internal` and the request id, on Fastify's routes and on the raw
// webhook path alike; its class and the request id go to the log. Every error code an answer can carry is in the
// OpenAPI document's enum.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppError, ERROR_STATUS } from '../../src/errors.ts';
import type { RouteModule } from '../../src/http/app.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';

class LedgerExploded extends Error {}
const SECRET_DETAIL = 'psid 2000000000000001 wrote "my address is 5 Elm St"';

const throwing: RouteModule = (app) => {
  app.get('/api/v1/test/throws', { config: { auth: 'token' } }, async () => {
    throw new LedgerExploded(SECRET_DETAIL);
  });
  app.get('/api/v1/test/throws-app-error', { config: { auth: 'token' } }, async () => {
    throw new AppError('decryption_failed', 'a value of row ct_0001 could not be decrypted');
  });
  app.rawRoutes.push({
    method: 'POST',
    path: '/test/raw',
    bodyLimit: 1024,
    handle: async () => {
      throw new LedgerExploded(SECRET_DETAIL);
    },
  });
};

describe('a 5xx says nothing', () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp('sqlite', { routes: [throwing] });
  });
  after(async () => app.close());

  const assertGeneric = (status: number, body: { error: Record<string, unknown> }, requestId: string) => {
    assert.equal(status, 500);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'request_id']);
    assert.equal(body.error.code, 'internal');
    assert.equal(body.error.request_id, requestId);
    assert.doesNotMatch(String(body.error.message), /psid|Elm|ct_0001|decrypt|Ledger/i);
  };

  it('answers an unexpected exception with the generic body, and logs its class and the request id without its message', async () => {
    const r = await app.server.inject({
      url: '/api/v1/test/throws',
      headers: { ...bearer(app.ownerToken), 'x-request-id': 'req-unexpected-1' },
    });
    assertGeneric(r.statusCode, r.json(), 'req-unexpected-1');
    const line = app.logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === 'req-unexpected-1' && l.error_class);
    assert.ok(line, 'a log line names the request');
    assert.equal(line.error_class, 'LedgerExploded');
    assert.doesNotMatch(app.logs.text(), /Elm St|2000000000000001/);
  });

  it('answers an AppError of the 5xx kind with the same generic body, not its message', async () => {
    const r = await app.server.inject({
      url: '/api/v1/test/throws-app-error',
      headers: { ...bearer(app.ownerToken), 'x-request-id': 'req-app-error-1' },
    });
    assertGeneric(r.statusCode, r.json(), 'req-app-error-1');
    const line = app.logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === 'req-app-error-1' && l.error_class);
    assert.equal(line?.code, 'decryption_failed');
  });

  it('answers and logs alike on the raw path that serves the webhook on the real server', async () => {
    const url = await app.server.listen({ host: '127.0.0.1', port: 0 });
    const r = await fetch(`${url}/test/raw`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-raw-00001' },
    });
    assertGeneric(r.status, (await r.json()) as { error: Record<string, unknown> }, 'req-raw-00001');
    const line = app.logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.request_id === 'req-raw-00001');
    assert.ok(line, 'the raw path logs the failure');
    assert.equal(line.error_class, 'LedgerExploded');
    assert.doesNotMatch(app.logs.text(), /Elm St|2000000000000001/);
  });

  it('lists every error code the sources use, and no other, in the OpenAPI error enum', async () => {
    const doc = (await app.server.inject({ url: '/api/v1/openapi.json' })).json();
    const envelope = JSON.stringify(doc);
    const enums = [...envelope.matchAll(/"code":\{"type":"string","enum":(\[[^\]]*\])/g)].map(
      (m) => JSON.parse(m[1]!) as string[],
    );
    assert.ok(enums.length > 0, 'the error envelope has a code enum');
    for (const e of enums) assert.deepEqual([...e].sort(), Object.keys(ERROR_STATUS).sort());
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !path.includes('/emulator/')) {
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(/(?:new AppError|errorBody)\(\s*'([a-z_]+)'/g)) used.add(m[1]!);
        }
      }
    };
    walk(join(import.meta.dirname, '../../src'));
    assert.ok(used.size >= 10, `found the codes in use: ${[...used].join(', ')}`);
    const missing = [...used].filter((c) => !(c in ERROR_STATUS));
    assert.deepEqual(missing, []);
  });
});
