import { test, before, after } from 'node:test';
import { authFailures } from '../../modules/access/auth-failures.ts';
import assert from 'node:assert/strict';
import { testDialects } from '../../../test/support/db.ts';
import { bearer, createTestApp, type TestApp } from '../../../test/support/app.ts';
import { cliActor } from '../../modules/access/actor.ts';
import { createToken } from '../../modules/access/create-token.ts';

for (const dialect of testDialects()) {
  test(`the Pages API [${dialect}]`, async (t) => {
    let app!: TestApp;
    before(async () => {
      app = await createTestApp(dialect);
    });
    after(async () => app.close());

    await t.test('registers a Page with 201 and never returns its token', async () => {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/pages',
        headers: bearer(app.ownerToken),
        payload: { id: '1001', name: 'Shop A', access_token: 'EAAG-page-token-A' },
      });
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().id, '1001');
      assert.equal(res.body.includes('EAAG-page-token-A'), false);
    });

    await t.test('stores the Page token encrypted, not in plaintext', async () => {
      const row = await app.ctx.db.selectFrom('pages').selectAll().where('id', '=', '1001').executeTakeFirstOrThrow();
      assert.match(row.access_token_enc, /^v1\./);
      assert.equal(row.access_token_enc.includes('EAAG-page-token-A'), false);
    });

    await t.test('answers 401 without a token and counts the failure', async () => {
      const res = await app.server.inject({ method: 'GET', url: '/api/v1/pages' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'unauthenticated');
      await authFailures(app.ctx).flush();
      const counted = await app.ctx.db
        .selectFrom('auth_failures')
        .selectAll()
        .where('kind', '=', 'api_token')
        .execute();
      assert.deepEqual(
        counted.map((r) => [r.reason, r.failures]),
        [['missing_token', 1]],
      );
    });

    await t.test('rejects a body without a name with 400 and stores nothing', async () => {
      const res = await app.server.inject({
        method: 'POST',
        url: '/api/v1/pages',
        headers: bearer(app.ownerToken),
        payload: { id: '1002', access_token: 'EAAG-x-token' },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(
        await app.ctx.db.selectFrom('pages').select('id').where('id', '=', '1002').executeTakeFirst(),
        undefined,
      );
    });

    await t.test('shows a Page-scoped token only its own Pages, and 404 for another Page', async () => {
      await app.server.inject({
        method: 'POST',
        url: '/api/v1/pages',
        headers: bearer(app.ownerToken),
        payload: { id: '2002', name: 'Shop B', access_token: 'EAAG-page-token-B' },
      });
      const scoped = await createToken(app.ctx, cliActor, { name: 'agent A', role: 'agent', pageIds: ['1001'] });
      const list = await app.server.inject({ method: 'GET', url: '/api/v1/pages', headers: bearer(scoped.token) });
      assert.deepEqual(
        list.json().data.map((p: { id: string }) => p.id),
        ['1001'],
      );
      const other = await app.server.inject({
        method: 'GET',
        url: '/api/v1/pages/2002',
        headers: bearer(scoped.token),
      });
      const missing = await app.server.inject({
        method: 'GET',
        url: '/api/v1/pages/9999',
        headers: bearer(scoped.token),
      });
      assert.equal(other.statusCode, 404);
      assert.deepEqual({ ...other.json().error, request_id: null }, { ...missing.json().error, request_id: null });
    });

    await t.test('paginates with a cursor', async () => {
      const first = await app.server.inject({
        method: 'GET',
        url: '/api/v1/pages?limit=1',
        headers: bearer(app.ownerToken),
      });
      assert.equal(first.json().data.length, 1);
      const next = first.json().next_cursor;
      assert.equal(typeof next, 'string');
      const second = await app.server.inject({
        method: 'GET',
        url: `/api/v1/pages?limit=1&cursor=${next}`,
        headers: bearer(app.ownerToken),
      });
      assert.notEqual(second.json().data[0].id, first.json().data[0].id);
    });

    await t.test('records each registration in the audit log', async () => {
      const res = await app.server.inject({
        method: 'GET',
        url: '/api/v1/audit-events?action=page.register',
        headers: bearer(app.ownerToken),
      });
      assert.equal(res.json().data.length, 2);
    });
  });
}
