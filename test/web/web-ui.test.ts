import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { loadWebFiles } from '../../src/http/web-ui.ts';

// The built UI (dist/web, made by `npm run build`, which `npm test` runs first when src/ changed).
const files = loadWebFiles();

describe(
  'the web inbox is served by the API server',
  { skip: files.size === 0 ? 'dist/web is not built' : false },
  () => {
    let app: TestApp;
    before(async () => {
      app = await createTestApp('sqlite', { routes: routeModules() });
    });
    after(async () => app.close());

    it('answers / with the app, never cached, under a CSP that allows only its own scripts', async () => {
      const res = await app.server.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(res.body, /<div id="root">/);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      // Served over plain http on a LAN address, the app's scripts must not be upgraded to an https that is not there.
      assert.doesNotMatch(String(res.headers['content-security-policy']), /upgrade-insecure-requests/);
    });

    it('answers the hashed assets with a year-long immutable cache and their type', async () => {
      const script = [...files.keys()].find((p) => p.startsWith('/assets/') && p.endsWith('.js'));
      assert.ok(script, 'a script was built');
      const res = await app.server.inject({ method: 'GET', url: script });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/javascript/);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    });

    it('answers a client route with the app (the SPA fallback), and a missing file with a 404', async () => {
      const route = await app.server.inject({ method: 'GET', url: '/conversations/cv_123?tab=mine' });
      assert.equal(route.statusCode, 200);
      assert.match(route.body, /<div id="root">/);
      const missing = await app.server.inject({ method: 'GET', url: '/assets/nope-123.js' });
      assert.equal(missing.statusCode, 404);
    });

    it('never answers an API path with the app: an unknown one is a JSON 404, a wrong method a 405', async () => {
      const unknown = await app.server.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'not_found');
      const wrong = await app.server.inject({ method: 'GET', url: '/api/v1/auth/login' });
      assert.equal(wrong.statusCode, 405);
      const login = await app.server.inject({ method: 'GET', url: '/login/psl_not-a-real-link' });
      assert.doesNotMatch(login.body, /<div id="root">/);
      const health = await app.server.inject({ method: 'GET', url: '/api/v1/pages' });
      assert.equal(health.statusCode, 401);
    });
  },
);
