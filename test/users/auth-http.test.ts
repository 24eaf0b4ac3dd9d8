// Sign-in over HTTP as a browser and a script meet it: the cookie, CSRF, bearer tokens beside sessions, `me`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { disableUser } from '../../src/modules/users/disable-user.ts';
import { linkToken, readyAccount } from './support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';
const PASSWORD = 'a long enough passphrase';

/** The `name=value` of the session cookie a response sets, and the whole header. */
function sessionOf(res: { headers: Record<string, unknown> }): { pair: string; header: string } {
  const header = [res.headers['set-cookie']]
    .flat()
    .find((c) => typeof c === 'string' && c.startsWith('pagescope_session=')) as string | undefined;
  assert.ok(header, 'a session cookie is set');
  return { pair: header.split(';')[0]!, header };
}

for (const dialect of testDialects()) {
  describe(`sign-in over HTTP [${dialect}]`, () => {
    let app!: TestApp;
    let userId = '';
    let n = 0;
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      userId = (await readyAccount(app.ctx, 'ana@example.com', PASSWORD, { role: 'admin', pages: [PAGE_A] })).id;
    });
    after(async () => app.close());
    // Each sign-in from its own address, so no test meets another's per-address count.
    const login = (email: string, password: string) =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
        remoteAddress: `192.0.2.${++n}`,
      });
    const signedIn = async () => {
      const res = await login('ana@example.com', PASSWORD);
      assert.equal(res.statusCode, 200, res.body);
      const cookie = sessionOf(res).pair;
      const me = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      return { cookie, csrf: me.json().csrf_token as string };
    };

    test('signing in answers the account and sets an HttpOnly, SameSite=Lax session cookie on Path=/', async () => {
      const res = await login('Ana@Example.com', PASSWORD);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { user: { id: userId, email: 'ana@example.com', role: 'admin', pages: [PAGE_A] } });
      const { header } = sessionOf(res);
      assert.match(header, /^pagescope_session=pss_[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1209600$/);
      assert.doesNotMatch(header, /Secure/, 'not over plain http');
    });

    test('a wrong password and an unknown email get the same 401 and no cookie', async () => {
      const wrong = await login('ana@example.com', 'not the password at all');
      const unknown = await login('nobody@example.com', PASSWORD);
      for (const r of [wrong, unknown]) {
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().error.code, 'invalid_credentials');
        assert.equal(r.headers['set-cookie'], undefined);
        assert.equal(r.headers['retry-after'], undefined);
      }
      assert.equal(wrong.json().error.message, unknown.json().error.message);
    });

    test('GET /api/v1/me answers the account and a CSRF token for a session, the token for a bearer', async () => {
      const { cookie, csrf } = await signedIn();
      const me = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      assert.deepEqual(Object.keys(me.json()).sort(), ['csrf_token', 'user']);
      assert.equal(me.json().user.id, userId);
      assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
      const asToken = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(app.ownerToken) });
      assert.equal(asToken.statusCode, 200);
      assert.deepEqual(Object.keys(asToken.json()), ['token']);
      assert.equal(asToken.json().token.role, 'owner');
      assert.equal(asToken.headers['set-cookie'], undefined, 'a bearer request gets no session cookie');
    });

    test('a change made with the cookie needs the x-csrf-token header; with it, it goes through', async () => {
      const { cookie, csrf } = await signedIn();
      const body = { name: 'desk', role: 'agent', pages: [PAGE_A] };
      const without = await app.server.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie },
        payload: body,
      });
      assert.equal(without.statusCode, 403);
      assert.equal(without.json().error.code, 'csrf_failed');
      const wrong = await app.server.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie, 'x-csrf-token': `${csrf.slice(1)}x` },
        payload: body,
      });
      assert.equal(wrong.json().error.code, 'csrf_failed');
      const withIt = await app.server.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: body,
      });
      assert.equal(withIt.statusCode, 201, withIt.body);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'token.create')
        .where('subject_id', '=', withIt.json().id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([audit.actor_type, audit.actor_id], ['user', userId]);
    });

    test('a bearer token still works, with no CSRF header, even beside a cookie', async () => {
      const { cookie } = await signedIn();
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...bearer(app.ownerToken), cookie },
        payload: { name: 'script', role: 'analyst' },
      });
      assert.equal(res.statusCode, 201, res.body);
    });

    test("a session sees only its account's Pages: another Page is a 404, as for a token", async () => {
      const { cookie } = await signedIn();
      assert.equal(
        (await app.server.inject({ method: 'GET', url: `/api/v1/pages/${PAGE_A}`, headers: { cookie } })).statusCode,
        200,
      );
      const b = await app.server.inject({ method: 'GET', url: `/api/v1/pages/${PAGE_B}`, headers: { cookie } });
      assert.equal(b.statusCode, 404);
      const list = await app.server.inject({ method: 'GET', url: '/api/v1/pages', headers: { cookie } });
      assert.equal(list.body.includes(PAGE_B), false);
    });

    test('signing out ends the session: the cookie is cleared and then answers 401 session_expired', async () => {
      const { cookie, csrf } = await signedIn();
      const refused = await app.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
      assert.equal(refused.json().error.code, 'csrf_failed');
      const out = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      assert.equal(out.statusCode, 204);
      assert.match(sessionOf(out).header, /Max-Age=0/);
      const after = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().error.code, 'session_expired');
      assert.match(sessionOf(after).header, /^pagescope_session=;.*Max-Age=0/);
    });

    test('an unknown cookie is a 401 session_expired; no credentials at all is 401 unauthenticated', async () => {
      const junk = await app.server.inject({
        method: 'GET',
        url: '/api/v1/pages',
        headers: { cookie: 'pagescope_session=pss_nothing' },
      });
      assert.equal(junk.json().error.code, 'session_expired');
      const none = await app.server.inject({ method: 'GET', url: '/api/v1/pages' });
      assert.equal(none.json().error.code, 'unauthenticated');
    });

    test('a one-time link signs in, sends the person to set a password, and the password then signs in', async () => {
      const created = await createUser(app.ctx, cliActor, {
        email: 'bo@example.com',
        role: 'agent',
        pageIds: [PAGE_A],
      });
      const url = new URL(created.login_url).pathname;
      const opened = await app.server.inject({ method: 'GET', url });
      assert.equal(opened.statusCode, 303);
      assert.equal(opened.headers.location, '/?set_password=1');
      const { pair: cookie } = sessionOf(opened);
      const csrf = (await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).json()
        .csrf_token as string;
      const set = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { new_password: 'short' },
      });
      assert.equal(set.statusCode, 400);
      const ok = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { new_password: 'bo has a long passphrase' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await login('bo@example.com', 'bo has a long passphrase')).statusCode, 200);
      const reused = await app.server.inject({ method: 'GET', url });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json().error.code, 'invalid_credentials');
      assert.equal(reused.headers['set-cookie'], undefined);
      assert.equal(linkToken(created.login_url).length > 20, true);
    });

    test('a bearer token cannot sign out or set a password: it has neither', async () => {
      const out = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(app.ownerToken),
      });
      assert.equal(out.statusCode, 400);
      const pw = await app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: bearer(app.ownerToken),
        payload: { new_password: 'a long enough passphrase' },
      });
      assert.equal(pw.statusCode, 403);
    });

    test('disabling an account ends its browser session at the next request', async () => {
      const { id } = await readyAccount(app.ctx, 'cy@example.com', PASSWORD, { role: 'agent' });
      const res = await login('cy@example.com', PASSWORD);
      const cookie = sessionOf(res).pair;
      assert.equal(
        (await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode,
        200,
      );
      await disableUser(app.ctx, cliActor, id);
      assert.equal(
        (await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).json().error.code,
        'session_expired',
      );
    });

    test('the OpenAPI document describes the sign-in routes', async () => {
      const doc = (await app.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      for (const path of [
        '/api/v1/auth/login',
        '/api/v1/auth/logout',
        '/api/v1/auth/password',
        '/api/v1/me',
        '/login/{token}',
      ])
        assert.ok(doc.paths[path], path);
    });
  });
}
