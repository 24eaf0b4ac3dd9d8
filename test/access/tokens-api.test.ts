import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';
const DAY = 86_400_000;

for (const dialect of testDialects()) {
  test(`API tokens can be listed, created with an expiry and revoked, by owners and admins only [${dialect}]`, async (t) => {
    let app!: TestApp;
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
    });
    after(async () => app.close());
    const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
      app.server.inject({
        method,
        url,
        headers: bearer(token),
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const auditOf = async (action: string, subjectId: string) =>
      app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', action)
        .where('subject_id', '=', subjectId)
        .execute();

    await t.test(
      'an admin creates a token that expires, sees it in the list without its secret, and the creation is audited',
      async () => {
        const admin = (await createToken(app.ctx, cliActor, { name: 'an admin', role: 'admin' })).token;
        const created = await call(admin, 'POST', '/api/v1/tokens', {
          name: 'support desk',
          role: 'agent',
          pages: [PAGE_A],
          expires_in: '30d',
        });
        assert.equal(created.statusCode, 201, created.body);
        const body = created.json();
        assert.match(body.token, /^psk_/);
        assert.equal(body.status, 'active');
        assert.equal(Date.parse(body.expires_at), app.clock.now() + 30 * DAY);
        assert.deepEqual(body.pages, [PAGE_A]);
        const list = await call(admin, 'GET', '/api/v1/tokens');
        assert.equal(list.statusCode, 200);
        const shown = list.json().data.find((x: { id: string }) => x.id === body.id);
        assert.deepEqual(Object.keys(shown).sort(), [
          'created_at',
          'expires_at',
          'id',
          'last_used_at',
          'name',
          'pages',
          'revoked_at',
          'role',
          'status',
        ]);
        assert.equal(list.body.includes(body.token), false, 'the secret is never listed');
        const row = await app.ctx.db
          .selectFrom('api_tokens')
          .select('token_hash')
          .where('id', '=', body.id)
          .executeTakeFirstOrThrow();
        assert.equal(list.body.includes(row.token_hash), false, 'nor its hash');
        assert.equal((await auditOf('token.create', body.id)).length, 1);
        assert.equal((await call(body.token, 'GET', '/api/v1/pages')).statusCode, 200);
      },
    );

    await t.test('a revoked token answers 401 from then on; revoking is audited once', async () => {
      const victim = await createToken(app.ctx, cliActor, { name: 'leaked', role: 'agent' });
      assert.equal((await call(victim.token, 'GET', '/api/v1/pages')).statusCode, 200);
      const revoked = await call(app.ownerToken, 'DELETE', `/api/v1/tokens/${victim.id}`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal(revoked.json().status, 'revoked');
      assert.equal((await call(victim.token, 'GET', '/api/v1/pages')).statusCode, 401);
      assert.equal((await call(app.ownerToken, 'DELETE', `/api/v1/tokens/${victim.id}`)).statusCode, 200);
      assert.equal((await auditOf('token.revoke', victim.id)).length, 1);
      assert.equal((await call(app.ownerToken, 'GET', `/api/v1/tokens/${victim.id}`)).json().status, 'revoked');
    });

    await t.test(
      'an expired token answers 401 like an unknown one, and its use is audited under its id without the secret',
      async () => {
        const short = await createToken(app.ctx, cliActor, {
          name: 'short-lived',
          role: 'analyst',
          expiresAt: app.clock.now() + DAY,
        });
        assert.equal((await call(short.token, 'GET', '/api/v1/pages')).statusCode, 200);
        app.clock.advance(DAY);
        const refused = await call(short.token, 'GET', '/api/v1/pages');
        assert.equal(refused.statusCode, 401);
        assert.equal(refused.json().error.code, 'unauthenticated');
        const audit = await auditOf('auth.failure', short.id);
        assert.equal(audit.length, 1);
        assert.equal(JSON.parse(audit[0]!.details!).reason, 'expired_token');
        assert.equal(JSON.stringify(audit).includes(short.token), false);
        assert.equal((await call(app.ownerToken, 'GET', `/api/v1/tokens/${short.id}`)).json().status, 'expired');
      },
    );

    await t.test('an expiry in the past or a malformed duration is refused with 400', async () => {
      assert.equal(
        (
          await call(app.ownerToken, 'POST', '/api/v1/tokens', {
            name: 'x',
            role: 'agent',
            expires_at: new Date(app.clock.now() - 1000).toISOString(),
          })
        ).statusCode,
        400,
      );
      const bad = await call(app.ownerToken, 'POST', '/api/v1/tokens', {
        name: 'x',
        role: 'agent',
        expires_in: 'soon',
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /expires_in/);
    });

    await t.test('roles below admin may neither list, read, create nor revoke tokens (403)', async () => {
      const target = await createToken(app.ctx, cliActor, { name: 'target', role: 'agent' });
      for (const role of ['agent', 'marketer', 'analyst']) {
        const token = (await createToken(app.ctx, cliActor, { name: role, role })).token;
        assert.equal((await call(token, 'GET', '/api/v1/tokens')).statusCode, 403, role);
        assert.equal((await call(token, 'GET', `/api/v1/tokens/${target.id}`)).statusCode, 403, role);
        assert.equal(
          (await call(token, 'POST', '/api/v1/tokens', { name: 'mine', role: 'owner' })).statusCode,
          403,
          role,
        );
        assert.equal((await call(token, 'DELETE', `/api/v1/tokens/${target.id}`)).statusCode, 403, role);
      }
      assert.equal((await call(target.token, 'GET', '/api/v1/pages')).statusCode, 200, 'the target still works');
    });

    await t.test('an admin may not create an owner token (403); an owner may', async () => {
      const admin = (await createToken(app.ctx, cliActor, { name: 'an admin', role: 'admin' })).token;
      const byAdmin = await call(admin, 'POST', '/api/v1/tokens', { name: 'boss', role: 'owner' });
      assert.equal(byAdmin.statusCode, 403);
      assert.match(byAdmin.json().error.message, /only an owner/);
      assert.equal((await call(admin, 'POST', '/api/v1/tokens', { name: 'ok', role: 'admin' })).statusCode, 201);
      assert.equal(
        (await call(app.ownerToken, 'POST', '/api/v1/tokens', { name: 'boss', role: 'owner' })).statusCode,
        201,
      );
    });

    await t.test(
      "an admin limited to Page A sees and revokes only tokens of Page A; another's token is a 404",
      async () => {
        const adminA = (await createToken(app.ctx, cliActor, { name: 'admin of A', role: 'admin', pageIds: [PAGE_A] }))
          .token;
        const ofB = await createToken(app.ctx, cliActor, { name: 'agent of B', role: 'agent', pageIds: [PAGE_B] });
        const everywhere = await createToken(app.ctx, cliActor, { name: 'agent everywhere', role: 'agent' });
        const listed = (await call(adminA, 'GET', '/api/v1/tokens?limit=1')).json();
        const ids: string[] = [];
        let page = listed;
        for (;;) {
          ids.push(...page.data.map((x: { id: string }) => x.id));
          if (!page.next_cursor) break;
          page = (await call(adminA, 'GET', `/api/v1/tokens?limit=1&cursor=${page.next_cursor}`)).json();
        }
        assert.ok(ids.length > 0);
        assert.equal(ids.includes(ofB.id), false);
        assert.equal(ids.includes(everywhere.id), false);
        for (const id of [ofB.id, everywhere.id, 'tok_missing']) {
          const r = await call(adminA, 'DELETE', `/api/v1/tokens/${id}`);
          assert.equal(r.statusCode, 404, id);
        }
        assert.equal((await call(ofB.token, 'GET', '/api/v1/pages')).statusCode, 200);
      },
    );
  });
}
