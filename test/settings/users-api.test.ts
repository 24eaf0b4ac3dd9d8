// Team members over REST, as the settings screen uses them: owners and admins add people (a one-time sign-in link),
// change their role or Pages, send a new link, disable them; the rules of the users module hold over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { disableUser } from '../../src/modules/users/disable-user.ts';
import { updateUser } from '../../src/modules/users/update-user.ts';
import { userActor } from '../../src/modules/users/sessions.ts';
import { findUserById } from '../../src/modules/users/users.repository.ts';
import { tokenFor } from '../ingest/support.ts';
import { readyAccount } from '../users/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  describe(`team members over REST [${dialect}]`, () => {
    let app!: TestApp;
    let admin = '';
    let adminOfA = '';
    let agent = '';
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      admin = await tokenFor(app, 'admin');
      adminOfA = await tokenFor(app, 'admin', [PAGE_A]);
      agent = await tokenFor(app, 'agent');
    });
    after(async () => app.close());

    const call = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(token), ...(payload && { payload }) });
    const audit = async (action: string) =>
      app.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();

    test('an owner adds a member and gets the one-time sign-in link once; the list shows the member as invited', async () => {
      const res = await call(app.ownerToken, 'POST', '/api/v1/users', {
        email: 'Bo@Example.com',
        role: 'agent',
        pages: [PAGE_A],
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(body.email, 'bo@example.com');
      assert.deepEqual([body.role, body.pages, body.status], ['agent', [PAGE_A], 'invited']);
      assert.match(body.login_url, /\/login\/psl_[A-Za-z0-9_-]+$/);
      const list = await call(app.ownerToken, 'GET', '/api/v1/users');
      assert.equal(list.statusCode, 200);
      const listed = list.json().data.find((u: { id: string }) => u.id === body.id);
      assert.deepEqual(
        { ...listed, created_at: null },
        {
          id: body.id,
          email: 'bo@example.com',
          role: 'agent',
          pages: [PAGE_A],
          status: 'invited',
          created_at: null,
          password_changed_at: null,
          disabled_at: null,
        },
      );
      assert.equal(list.body.includes('psl_'), false, 'the link is never listed');
      const [row] = await audit('user.create');
      assert.equal(row!.subject_id, body.id);
      assert.equal(row!.details?.includes('example.com'), false, 'no email in the audit');
    });

    test('a change of role and a change of Pages made at once both hold: neither undoes the other', async () => {
      const { user } = await createUser(app.ctx, cliActor, { email: 'quinn@example.com', role: 'agent', pageIds: [] });
      const [role, pages] = await Promise.all([
        call(admin, 'PATCH', `/api/v1/users/${user.id}`, { role: 'analyst' }),
        call(admin, 'PATCH', `/api/v1/users/${user.id}`, { pages: [PAGE_A] }),
      ]);
      assert.equal(role.statusCode, 200, role.body);
      assert.equal(pages.statusCode, 200, pages.body);
      const stored = await findUserById(app.ctx.db, user.id);
      assert.equal(stored!.role, 'analyst');
      assert.deepEqual(JSON.parse(stored!.pages!), [PAGE_A]);
    });

    test('a second account with the same email is 409; a bad email or role is 400', async () => {
      const again = await call(admin, 'POST', '/api/v1/users', { email: 'bo@example.com', role: 'agent' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'conflict');
      const badEmail = await call(admin, 'POST', '/api/v1/users', { email: 'not an email', role: 'agent' });
      assert.equal(badEmail.statusCode, 400);
      const badRole = await call(admin, 'POST', '/api/v1/users', { email: 'x@example.com', role: 'king' });
      assert.equal(badRole.statusCode, 400);
      assert.equal(badRole.json().error.code, 'validation_failed');
      const badPage = await call(admin, 'POST', '/api/v1/users', {
        email: 'x@example.com',
        role: 'agent',
        pages: ['999'],
      });
      assert.equal(badPage.statusCode, 400);
    });

    test('an agent may neither list nor add members (403)', async () => {
      assert.equal((await call(agent, 'GET', '/api/v1/users')).statusCode, 403);
      const add = await call(agent, 'POST', '/api/v1/users', { email: 'cy@example.com', role: 'agent' });
      assert.equal(add.statusCode, 403);
      assert.equal(add.json().error.code, 'forbidden');
    });

    test('an admin cannot add an owner, nor make anyone owner (403)', async () => {
      const add = await call(admin, 'POST', '/api/v1/users', { email: 'boss@example.com', role: 'owner' });
      assert.equal(add.statusCode, 403);
      const { user } = await createUser(app.ctx, cliActor, { email: 'dee@example.com', role: 'agent' });
      const promote = await call(admin, 'PATCH', `/api/v1/users/${user.id}`, { role: 'owner' });
      assert.equal(promote.statusCode, 403);
      assert.equal((await findUserById(app.ctx.db, user.id))!.role, 'agent');
    });

    test("an admin cannot get a sign-in link for an owner's account, nor disable it (403)", async () => {
      const { user } = await createUser(app.ctx, cliActor, { email: 'owner2@example.com', role: 'owner' });
      assert.equal((await call(admin, 'POST', `/api/v1/users/${user.id}/login-link`)).statusCode, 403);
      assert.equal((await call(admin, 'POST', `/api/v1/users/${user.id}/disable`)).statusCode, 403);
      const byOwner = await call(app.ownerToken, 'POST', `/api/v1/users/${user.id}/login-link`);
      assert.equal(byOwner.statusCode, 201);
      assert.match(byOwner.json().login_url, /\/login\/psl_/);
    });

    test("a Page-scoped admin sees and manages only its Pages' members; another member is 404", async () => {
      const { user: ofB } = await createUser(app.ctx, cliActor, {
        email: 'eve@example.com',
        role: 'agent',
        pageIds: [PAGE_B],
      });
      const list = await call(adminOfA, 'GET', '/api/v1/users');
      const emails = list.json().data.map((u: { email: string }) => u.email);
      assert.ok(emails.includes('bo@example.com'));
      assert.equal(emails.includes('eve@example.com'), false);
      assert.equal((await call(adminOfA, 'POST', `/api/v1/users/${ofB.id}/disable`)).statusCode, 404);
      assert.equal((await call(adminOfA, 'PATCH', `/api/v1/users/${ofB.id}`, { role: 'analyst' })).statusCode, 404);
      const everyPage = await call(adminOfA, 'POST', '/api/v1/users', { email: 'fay@example.com', role: 'agent' });
      assert.equal(everyPage.statusCode, 403, 'an account for every Page is more than it sees');
      const ok = await call(adminOfA, 'POST', '/api/v1/users', {
        email: 'fay@example.com',
        role: 'agent',
        pages: [PAGE_A],
      });
      assert.equal(ok.statusCode, 201);
      const widen = await call(adminOfA, 'PATCH', `/api/v1/users/${ok.json().id}`, { pages: [PAGE_A, PAGE_B] });
      assert.equal(widen.statusCode, 403);
    });

    test('changing a role or Pages applies, is audited with what changed, and a no-op writes nothing', async () => {
      const { user } = await createUser(app.ctx, cliActor, {
        email: 'gus@example.com',
        role: 'agent',
        pageIds: [PAGE_A],
      });
      const res = await call(admin, 'PATCH', `/api/v1/users/${user.id}`, { role: 'analyst', pages: [] });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().role, res.json().pages], ['analyst', null]);
      const again = await call(admin, 'PATCH', `/api/v1/users/${user.id}`, { role: 'analyst' });
      assert.equal(again.statusCode, 200);
      const rows = (await audit('user.update')).filter((r) => r.subject_id === user.id);
      assert.equal(rows.length, 1);
      assert.deepEqual(JSON.parse(rows[0]!.details!), {
        changes: { role: { from: 'agent', to: 'analyst' }, pages: { from: [PAGE_A], to: null } },
      });
      const empty = await call(admin, 'PATCH', `/api/v1/users/${user.id}`, {});
      assert.equal(empty.statusCode, 400);
    });

    test('disabling ends the sessions, is audited once, and a new link for a disabled account is 409', async () => {
      const user = await readyAccount(app.ctx, 'hal@example.com', 'a long enough passphrase');
      const open = () =>
        app.ctx.db
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', user.id)
          .where('revoked_at', 'is', null)
          .execute();
      assert.equal((await open()).length, 1);
      const res = await call(admin, 'POST', `/api/v1/users/${user.id}/disable`);
      assert.deepEqual(await open(), []);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'disabled');
      assert.equal((await call(admin, 'POST', `/api/v1/users/${user.id}/disable`)).statusCode, 200);
      assert.equal((await audit('user.disable')).filter((r) => r.subject_id === user.id).length, 1);
      const link = await call(admin, 'POST', `/api/v1/users/${user.id}/login-link`);
      assert.equal(link.statusCode, 409);
      assert.equal((await call(admin, 'POST', '/api/v1/users/us_nobody/disable')).statusCode, 404);
    });

    test('a member can neither disable nor change themselves; the last owner cannot be disabled or demoted', async () => {
      const { user: only } = await createUser(app.ctx, cliActor, { email: 'ivy@example.com', role: 'owner' });
      // owner2@example.com (above) is another owner: disable it first, so ivy is the last enabled owner.
      const owner2 = (await call(app.ownerToken, 'GET', '/api/v1/users'))
        .json()
        .data.find((u: { email: string }) => u.email === 'owner2@example.com');
      await disableUser(app.ctx, cliActor, owner2.id);
      const ivy = userActor((await findUserById(app.ctx.db, only.id))!, null, null);
      await assert.rejects(disableUser(app.ctx, ivy, only.id), { code: 'conflict' });
      await assert.rejects(updateUser(app.ctx, ivy, only.id, { role: 'admin' }), { code: 'conflict' });
      const last = await call(app.ownerToken, 'POST', `/api/v1/users/${only.id}/disable`);
      assert.equal(last.statusCode, 409);
      assert.match(last.json().error.message, /last owner/);
      const demote = await call(app.ownerToken, 'PATCH', `/api/v1/users/${only.id}`, { role: 'admin' });
      assert.equal(demote.statusCode, 409);
      assert.equal((await findUserById(app.ctx.db, only.id))!.disabled_at, null);
    });

    test('two owners disabled at the same moment: one is, the other stays (409)', async () => {
      const fresh = await createTestApp(dialect);
      try {
        const a = await createUser(fresh.ctx, cliActor, { email: 'a@example.com', role: 'owner' });
        const b = await createUser(fresh.ctx, cliActor, { email: 'b@example.com', role: 'owner' });
        const results = await Promise.allSettled(
          [a, b].map((o) =>
            fresh.server.inject({
              method: 'POST',
              url: `/api/v1/users/${o.user.id}/disable`,
              headers: bearer(fresh.ownerToken),
            }),
          ),
        );
        const codes = results.map((r) => (r.status === 'fulfilled' ? r.value.statusCode : 0)).sort();
        assert.deepEqual(codes, [200, 409]);
      } finally {
        await fresh.close();
      }
    });
  });
}
