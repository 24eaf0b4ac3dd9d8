// Label definitions per Page: owners and admins define, rename and delete them; conversations follow (a renamed label
// is renamed on them, a deleted one taken off), and once a Page has labels a conversation is given defined ones only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { conversationRoutes } from '../../src/http/routes/conversations.ts';
import { labelRoutes } from '../../src/http/routes/labels.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { drain, envelope, messageItem, postWebhook, tokenFor } from '../ingest/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  describe(`label definitions [${dialect}]`, () => {
    let app!: TestApp;
    let admin = '';
    let agentOfA = '';
    let adminOfB = '';
    let conversationId = '';
    before(async () => {
      app = await createTestApp(dialect, { routes: [ingestRoutes, conversationRoutes, labelRoutes] });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      admin = await tokenFor(app, 'admin');
      agentOfA = await tokenFor(app, 'agent', [PAGE_A]);
      adminOfB = await tokenFor(app, 'admin', [PAGE_B]);
      await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '7001', 'm.l.1', 'hello', app.clock.now())]));
      await drain(app);
      conversationId = (
        await app.ctx.db
          .selectFrom('conversations')
          .select('id')
          .where('page_id', '=', PAGE_A)
          .executeTakeFirstOrThrow()
      ).id;
    });
    after(async () => app.close());

    const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(token), ...(payload && { payload }) });
    const labelsOf = async () =>
      JSON.parse(
        (
          await app.ctx.db
            .selectFrom('conversations')
            .select('labels')
            .where('id', '=', conversationId)
            .executeTakeFirstOrThrow()
        ).labels,
      ) as string[];
    const setLabels = (token: string, labels: string[]) =>
      call(token, 'PATCH', `/api/v1/conversations/${conversationId}`, { labels });

    test('with no labels defined, a conversation takes any label (as before)', async () => {
      const res = await setLabels(agentOfA, ['legacy', 'urgent']);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(await labelsOf(), ['legacy', 'urgent']);
    });

    test('an admin defines labels; the list is by name, with colours; audited', async () => {
      const vip = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: 'VIP', color: 'grape' });
      assert.equal(vip.statusCode, 201, vip.body);
      assert.deepEqual([vip.json().name, vip.json().color, vip.json().page_id], ['VIP', 'grape', PAGE_A]);
      const urgent = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: ' Urgent ' });
      assert.equal(urgent.statusCode, 201);
      assert.deepEqual([urgent.json().name, urgent.json().color], ['Urgent', 'blue']);
      const list = await call(agentOfA, 'GET', `/api/v1/pages/${PAGE_A}/labels`);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json().data.map((l: { name: string }) => l.name),
        ['Urgent', 'VIP'],
      );
      const rows = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'label.create')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.page_id, JSON.parse(r.details!).name]),
        [
          [PAGE_A, 'VIP'],
          [PAGE_A, 'Urgent'],
        ],
      );
    });

    test('the same name in any case is 409; a bad name or colour is 400; an unknown Page is 404', async () => {
      const dup = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: 'vip' });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().error.code, 'conflict');
      const badName = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: '#hash' });
      assert.equal(badName.statusCode, 400);
      const badColor = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: 'ok', color: 'plaid' });
      assert.equal(badColor.statusCode, 400);
      assert.equal((await call(admin, 'POST', '/api/v1/pages/999/labels', { name: 'x' })).statusCode, 404);
      const onB = await call(admin, 'POST', `/api/v1/pages/${PAGE_B}/labels`, { name: 'VIP' });
      assert.equal(onB.statusCode, 201, 'each Page has its own names');
    });

    test('two admins defining the same name at once: one 201, the other 409, never a 500', async () => {
      const both = await Promise.all(
        [1, 2].map(() => call(admin, 'POST', `/api/v1/pages/${PAGE_B}/labels`, { name: 'Twin' })),
      );
      assert.deepEqual(both.map((r) => r.statusCode).sort(), [201, 409]);
    });

    test('an agent reads labels but may not define, rename or delete them (403)', async () => {
      const [vip] = (await call(agentOfA, 'GET', `/api/v1/pages/${PAGE_A}/labels`)).json().data;
      assert.equal((await call(agentOfA, 'POST', `/api/v1/pages/${PAGE_A}/labels`, { name: 'Mine' })).statusCode, 403);
      assert.equal((await call(agentOfA, 'PATCH', `/api/v1/labels/${vip.id}`, { name: 'X' })).statusCode, 403);
      assert.equal((await call(agentOfA, 'DELETE', `/api/v1/labels/${vip.id}`)).statusCode, 403);
    });

    test("another Page's label is 404 to a token of another Page, as an unknown one", async () => {
      const [ofA] = (await call(admin, 'GET', `/api/v1/pages/${PAGE_A}/labels`)).json().data;
      for (const res of [
        await call(adminOfB, 'GET', `/api/v1/pages/${PAGE_A}/labels`),
        await call(adminOfB, 'PATCH', `/api/v1/labels/${ofA.id}`, { color: 'red' }),
        await call(adminOfB, 'DELETE', `/api/v1/labels/${ofA.id}`),
        await call(adminOfB, 'DELETE', '/api/v1/labels/lbl_unknown'),
      ]) {
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error.code, 'not_found');
      }
    });

    test('once labels are defined, a conversation gets defined ones in their spelling; the ones it had may stay', async () => {
      const unknown = await setLabels(agentOfA, ['legacy', 'urgent', 'brand new']);
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.json().error.message, /brand new: not a label of this Page/);
      const res = await setLabels(agentOfA, ['legacy', 'urgent', 'vip']);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().labels, ['legacy', 'Urgent', 'VIP']);
    });

    test('renaming a label renames it on the conversations, moves their version and tells the inbox', async () => {
      const [urgent] = (await call(admin, 'GET', `/api/v1/pages/${PAGE_A}/labels`)).json().data;
      const before = await app.ctx.db
        .selectFrom('conversations')
        .select('version')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow();
      const seq = async () =>
        (
          await app.ctx.db
            .selectFrom('inbox_events')
            .select('seq')
            .where('conversation_id', '=', conversationId)
            .execute()
        ).length;
      const events = await seq();
      const res = await call(admin, 'PATCH', `/api/v1/labels/${urgent.id}`, { name: 'Asap', color: 'red' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().name, res.json().color], ['Asap', 'red']);
      assert.deepEqual(await labelsOf(), ['legacy', 'Asap', 'VIP']);
      const after = await app.ctx.db
        .selectFrom('conversations')
        .select('version')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow();
      assert.equal(after.version, before.version + 1);
      assert.equal(await seq(), events + 1);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'label.update')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(audit.details!), {
        changes: { name: { from: 'Urgent', to: 'Asap' }, color: { from: 'blue', to: 'red' } },
        conversations_changed: 1,
      });
      const clash = await call(admin, 'PATCH', `/api/v1/labels/${urgent.id}`, { name: 'vip' });
      assert.equal(clash.statusCode, 409);
    });

    test('deleting a label takes it off the conversations of its Page only', async () => {
      const onB = (await call(admin, 'GET', `/api/v1/pages/${PAGE_B}/labels`)).json().data[0];
      const vip = (await call(admin, 'GET', `/api/v1/pages/${PAGE_A}/labels`))
        .json()
        .data.find((l: { name: string }) => l.name === 'VIP');
      const res = await call(admin, 'DELETE', `/api/v1/labels/${vip.id}`);
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await labelsOf(), ['legacy', 'Asap']);
      assert.equal((await call(admin, 'GET', `/api/v1/pages/${PAGE_B}/labels`)).json().data[0].id, onB.id);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'label.delete')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(audit.details!), { name: 'VIP', conversations_changed: 1 });
      assert.equal((await call(admin, 'DELETE', `/api/v1/labels/${vip.id}`)).statusCode, 404);
    });
  });
}
