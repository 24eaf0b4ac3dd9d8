// A Page's own consent keywords: set over REST by owners and admins, read by anyone who sees the Page, and used by
// the keyword hook on that Page only, beside the built-in words (STOP keeps working whatever a Page sets).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { installHooks } from '../../src/app/modules.ts';
import { consentKeywordRoutes } from '../../src/http/routes/consent-keywords.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { drain, envelope, messageItem, postWebhook, tokenFor } from '../ingest/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  describe(`a Page's own consent keywords [${dialect}]`, () => {
    let app!: TestApp;
    let admin = '';
    let agentOfA = '';
    let adminOfB = '';
    let mid = 0;
    before(async () => {
      app = await createTestApp(dialect, { routes: [ingestRoutes, consentKeywordRoutes] });
      installHooks(app.ctx);
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      admin = await tokenFor(app, 'admin');
      agentOfA = await tokenFor(app, 'agent', [PAGE_A]);
      adminOfB = await tokenFor(app, 'admin', [PAGE_B]);
    });
    after(async () => app.close());

    const url = (pageId: string) => `/api/v1/pages/${pageId}/consent-keywords`;
    const put = (token: string, pageId: string, payload: object) =>
      app.server.inject({ method: 'PUT', url: url(pageId), headers: bearer(token), payload });
    const write = async (pageId: string, psid: string, text: string) => {
      app.clock.advance(1000);
      await postWebhook(app, envelope(pageId, [messageItem(pageId, psid, `m.kw.${++mid}`, text, app.clock.now())]));
      await drain(app);
    };
    const consentOf = async (pageId: string, psid: string) => {
      const rows = await app.ctx.db
        .selectFrom('contacts')
        .select(['consent_replies', 'page_id'])
        .where('page_id', '=', pageId)
        .execute();
      assert.equal(rows.length, 1, `one contact on Page ${pageId} (${psid})`);
      return rows[0]!.consent_replies;
    };

    test('a Page starts with no words of its own; the built-in ones are listed, STOP among them', async () => {
      const res = await app.server.inject({ method: 'GET', url: url(PAGE_A), headers: bearer(agentOfA) });
      assert.equal(res.statusCode, 200);
      assert.deepEqual([res.json().opt_out, res.json().opt_in], [[], []]);
      assert.ok(res.json().built_in.opt_out.includes('STOP'));
      assert.ok(res.json().built_in.opt_in.includes('START'));
    });

    test('an admin sets words, normalised and without repeats; the change is audited', async () => {
      const res = await put(admin, PAGE_A, { opt_out: ['No more', 'no more!', 'Pausé'], opt_in: ['Back on'] });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().opt_out, res.json().opt_in], [['NO MORE', 'PAUSE'], ['BACK ON']]);
      const read = await app.server.inject({ method: 'GET', url: url(PAGE_A), headers: bearer(admin) });
      assert.deepEqual([read.json().opt_out, read.json().opt_in], [['NO MORE', 'PAUSE'], ['BACK ON']]);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'consent_keywords.update')
        .executeTakeFirstOrThrow();
      assert.equal(audit.page_id, PAGE_A);
      assert.deepEqual(JSON.parse(audit.details!).to, { opt_out: ['NO MORE', 'PAUSE'], opt_in: ['BACK ON'] });
    });

    test("a Page's own word opts a person out on that Page, and not on another Page", async () => {
      await write(PAGE_A, '7001', 'No more');
      await write(PAGE_B, '7002', 'No more');
      assert.equal(await consentOf(PAGE_A, '7001'), 'withdrawn');
      assert.equal(await consentOf(PAGE_B, '7002'), 'granted');
    });

    test('its opt-in word opts the person in again on that Page', async () => {
      await write(PAGE_A, '7001', 'back on');
      assert.equal(await consentOf(PAGE_A, '7001'), 'granted');
    });

    test('STOP keeps working on a Page with words of its own', async () => {
      await write(PAGE_A, '7001', 'STOP');
      assert.equal(await consentOf(PAGE_A, '7001'), 'withdrawn');
    });

    test('a word cannot both opt out and in, nor mean the opposite of a built-in one (400); nothing changes', async () => {
      const both = await put(admin, PAGE_A, { opt_out: ['HOLD'], opt_in: ['hold'] });
      assert.equal(both.statusCode, 400);
      assert.equal(both.json().error.code, 'validation_failed');
      const startOut = await put(admin, PAGE_A, { opt_out: ['start'], opt_in: [] });
      assert.equal(startOut.statusCode, 400);
      const stopIn = await put(admin, PAGE_A, { opt_out: [], opt_in: ['Stop'] });
      assert.equal(stopIn.statusCode, 400);
      const punct = await put(admin, PAGE_A, { opt_out: ['#$%'], opt_in: [] });
      assert.equal(punct.statusCode, 400);
      const missing = await put(admin, PAGE_A, { opt_out: [] });
      assert.equal(missing.statusCode, 400);
      const read = await app.server.inject({ method: 'GET', url: url(PAGE_A), headers: bearer(admin) });
      assert.deepEqual(read.json().opt_out, ['NO MORE', 'PAUSE']);
    });

    test('an agent may read but not change them (403); another Page is 404', async () => {
      assert.equal((await put(agentOfA, PAGE_A, { opt_out: [], opt_in: [] })).statusCode, 403);
      assert.equal((await put(adminOfB, PAGE_A, { opt_out: [], opt_in: [] })).statusCode, 404);
      const get = await app.server.inject({ method: 'GET', url: url(PAGE_B), headers: bearer(agentOfA) });
      assert.equal(get.statusCode, 404);
      assert.equal((await put(admin, '999', { opt_out: [], opt_in: [] })).statusCode, 404);
    });
  });
}
