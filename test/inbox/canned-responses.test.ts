import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { tokenFor } from '../ingest/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  describe(`canned responses over HTTP [${dialect}]`, () => {
    let app: TestApp;
    let adminA = '';
    let adminB = '';
    let agentA = '';
    const call = async (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const res = await app.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload && { payload }),
      });
      return { status: res.statusCode, body: res.body === '' ? null : res.json() };
    };
    const create = (token: string, page: string, payload: object) =>
      call(token, 'POST', `/api/v1/pages/${page}/canned-responses`, payload);
    const list = async (token: string, page: string) =>
      (await call(token, 'GET', `/api/v1/pages/${page}/canned-responses`)).body;
    const audited = async (action: string, subject: string) =>
      app.ctx.db
        .selectFrom('audit_events')
        .select(['action', 'page_id', 'details'])
        .where('action', '=', action)
        .where('subject_id', '=', subject)
        .execute();

    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-b' });
      adminA = await tokenFor(app, 'admin', [PAGE_A]);
      adminB = await tokenFor(app, 'admin', [PAGE_B]);
      agentA = await tokenFor(app, 'agent', [PAGE_A]);
    });
    after(async () => app.close());

    it('an admin saves one with variables; the Page’s agents list it by shortcut; the creation is audited', async () => {
      const made = await create(adminA, PAGE_A, { shortcut: 'thanks', text: 'Thanks {{contact.first_name|there}}!' });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.deepEqual(
        { shortcut: made.body.shortcut, text: made.body.text, page_id: made.body.page_id },
        { shortcut: 'thanks', text: 'Thanks {{contact.first_name|there}}!', page_id: PAGE_A },
      );
      assert.equal((await create(adminA, PAGE_A, { shortcut: 'address', text: 'We are at 1 Main St.' })).status, 201);
      const shown = await list(agentA, PAGE_A);
      assert.deepEqual(
        shown.data.map((c: { shortcut: string }) => c.shortcut),
        ['address', 'thanks'],
      );
      const rows = await audited('canned_response.create', made.body.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.page_id, PAGE_A);
    });

    it('refuses a shortcut the Page already has with 409, and leaves the first one as it was', async () => {
      const again = await create(adminA, PAGE_A, { shortcut: 'thanks', text: 'Another text' });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'conflict');
      const thanks = (await list(adminA, PAGE_A)).data.find((c: { shortcut: string }) => c.shortcut === 'thanks');
      assert.equal(thanks.text, 'Thanks {{contact.first_name|there}}!');
      // Another Page may use the same shortcut.
      assert.equal((await create(adminB, PAGE_B, { shortcut: 'thanks', text: 'Merci !' })).status, 201);
    });

    it('refuses a bad shortcut, an empty text and an unknown variable with 400 naming the problem', async () => {
      for (const shortcut of ['Thanks', 'two words', '', 'x'.repeat(33), 'ça']) {
        const r = await create(adminA, PAGE_A, { shortcut, text: 'Hello' });
        assert.equal(r.status, 400, shortcut);
        assert.equal(r.body.error.code, 'validation_failed');
        assert.match(r.body.error.message, /shortcut/);
      }
      const empty = await create(adminA, PAGE_A, { shortcut: 'empty', text: '   ' });
      assert.equal(empty.status, 400);
      const unknown = await create(adminA, PAGE_A, { shortcut: 'order', text: 'Your order {{order.id}}' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /unknown variables: order\.id/);
      assert.equal((await list(adminA, PAGE_A)).data.length, 2);
    });

    it('keeps Pages apart: another Page’s list, change and delete answer 404 exactly like a missing one', async () => {
      const theirs = (await list(adminA, PAGE_A)).data[0];
      assert.equal((await call(adminB, 'GET', `/api/v1/pages/${PAGE_A}/canned-responses`)).status, 404);
      assert.equal((await create(adminB, PAGE_A, { shortcut: 'sneaky', text: 'x' })).status, 404);
      const patch = await call(adminB, 'PATCH', `/api/v1/canned-responses/${theirs.id}`, { text: 'changed' });
      assert.equal(patch.status, 404);
      const missing = await call(adminB, 'PATCH', `/api/v1/canned-responses/cr_missing`, { text: 'changed' });
      assert.deepEqual(patch.body.error.message, missing.body.error.message);
      assert.equal((await call(adminB, 'DELETE', `/api/v1/canned-responses/${theirs.id}`)).status, 404);
      assert.equal((await list(adminA, PAGE_A)).data[0].text, theirs.text);
    });

    it('lets agents use them but not change them (403)', async () => {
      assert.equal((await create(agentA, PAGE_A, { shortcut: 'mine', text: 'x' })).status, 403);
      const any = (await list(agentA, PAGE_A)).data[0];
      assert.equal((await call(agentA, 'DELETE', `/api/v1/canned-responses/${any.id}`)).status, 403);
    });

    it('changes the shortcut and text (a taken shortcut is a 409), deletes, and audits both', async () => {
      const [address, thanks] = (await list(adminA, PAGE_A)).data;
      const taken = await call(adminA, 'PATCH', `/api/v1/canned-responses/${address.id}`, {
        shortcut: thanks.shortcut,
      });
      assert.equal(taken.status, 409);
      const changed = await call(adminA, 'PATCH', `/api/v1/canned-responses/${address.id}`, {
        shortcut: 'where',
        text: 'We moved to 2 Main St, {{contact.name|friend}}.',
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.shortcut, 'where');
      assert.equal((await call(adminA, 'PATCH', `/api/v1/canned-responses/${address.id}`, {})).status, 400);
      assert.equal((await call(adminA, 'DELETE', `/api/v1/canned-responses/${address.id}`)).status, 204);
      assert.equal((await call(adminA, 'DELETE', `/api/v1/canned-responses/${address.id}`)).status, 404);
      assert.deepEqual(
        (await list(adminA, PAGE_A)).data.map((c: { shortcut: string }) => c.shortcut),
        ['thanks'],
      );
      assert.equal((await audited('canned_response.update', address.id)).length, 1);
      assert.equal((await audited('canned_response.delete', address.id)).length, 1);
    });
  });
}
