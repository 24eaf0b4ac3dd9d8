// The Messenger profile end to end: replaced over the REST API, pushed by the background loop to the emulator (as
// Meta) over real HTTP within 10 calls per 10 minutes, edits coalesced, Meta's errors shown, ice breakers tapped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { pushDueProfiles } from '../../src/modules/messenger-profile/profile-push.ts';
import { tokenFor } from '../ingest/support.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MINUTE = 60_000;
const PROFILE = {
  get_started: { payload: 'GET_STARTED' },
  greeting: [
    { locale: 'default', text: 'Hello {{user_first_name}}, ask us anything.' },
    { locale: 'pt_BR', text: 'Olá {{user_first_name}}!' },
  ],
  ice_breakers: [
    {
      locale: 'default',
      call_to_actions: [
        { question: 'Where is my order?', payload: 'ORDER_STATUS' },
        { question: 'When are you open?', payload: 'HOURS' },
      ],
    },
  ],
  persistent_menu: [
    {
      locale: 'default',
      call_to_actions: [
        { type: 'postback', title: 'My orders', payload: 'ORDERS' },
        { type: 'web_url', title: 'Shop', url: 'https://shop.example' },
      ],
    },
  ],
};

for (const dialect of testDialects()) {
  describe(`the Messenger profile through the emulator [${dialect}]`, () => {
    let app: TestApp;
    let meta: EmulatorServer;
    let pageId = '';
    let admin = '';
    const put = async (payload: object, page = pageId, token = admin) => {
      const res = await app.server.inject({
        method: 'PUT',
        url: `/api/v1/pages/${page}/messenger-profile`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
      return { status: res.statusCode, body: res.json() as Body };
    };
    const get = async (page = pageId) =>
      (
        await app.server.inject({
          method: 'GET',
          url: `/api/v1/pages/${page}/messenger-profile`,
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json() as Body;
    /** Time passes on both clocks (Meta's and ours), then one pass of the push loop. */
    const later = async (ms: number) => {
      meta.emulator.advance(ms);
      app.clock.advance(ms);
      await pushDueProfiles(app.ctx);
    };
    const profileCalls = () =>
      meta.emulator.calls().filter((c) => c.path.endsWith('/messenger_profile') && c.params.appsecret_proof !== 'x');
    const atMeta = () => meta.emulator.world.pages.get(pageId)!.messengerProfile;

    before(async () => {
      meta = await startEmulatorServer({
        seed: `profile-${dialect}`,
        appSecret: 'test-app-secret',
        clockMode: 'frozen',
        clockStart: Date.now(),
      });
      app = await createTestApp(dialect, { routes: routeModules(), env: { META_GRAPH_URL: meta.url } });
      const page = meta.emulator.createPage({ name: 'Shop' });
      pageId = page.id;
      await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
      admin = await tokenFor(app, 'admin', [pageId]);
    });
    after(async () => {
      await app.close();
      await meta.close();
    });

    it('a saved profile is pending, then pushed to Meta, where people see and tap its ice breakers', async () => {
      const saved = await put(PROFILE);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.push.status, 'pending');
      assert.deepEqual(saved.body.ice_breakers, PROFILE.ice_breakers);
      await later(5_000);
      const shown = await get();
      assert.equal(shown.push.status, 'pushed');
      assert.equal(shown.push.error, null);
      assert.deepEqual(atMeta().greeting, PROFILE.greeting);
      assert.deepEqual(atMeta().persistent_menu, PROFILE.persistent_menu);
      const person = meta.emulator.createUser({ first_name: 'Noor', last_name: 'Haddad' });
      const tap = await meta.emulator.user(person.id).tapsIceBreaker(pageId, 'When are you open?');
      assert.equal((tap.events[0] as Body).postback.payload, 'HOURS');
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'messenger_profile.update')
        .where('page_id', '=', pageId)
        .execute();
      assert.equal(audit.length, 1);
    });

    it('several quick edits go to Meta as one push of the last one', async () => {
      const before = profileCalls().length;
      for (const text of ['One', 'Two', 'Three', 'Four']) {
        await put({ ...PROFILE, greeting: [{ locale: 'default', text }] });
        app.clock.advance(200);
      }
      await later(5_000);
      assert.equal(profileCalls().length - before, 1);
      assert.deepEqual(atMeta().greeting, [{ locale: 'default', text: 'Four' }]);
    });

    it('a property left out is deleted at Meta', async () => {
      await put({ get_started: PROFILE.get_started, greeting: PROFILE.greeting });
      await later(5_000);
      assert.equal((await get()).push.status, 'pushed');
      assert.equal(atMeta().persistent_menu, undefined);
      assert.equal(atMeta().ice_breakers, undefined);
      assert.deepEqual(atMeta().greeting, PROFILE.greeting);
    });

    it('never makes an 11th call within 10 minutes: the push waits, then goes', async () => {
      meta.emulator.advance(10 * MINUTE);
      app.clock.advance(10 * MINUTE);
      const before = profileCalls().length;
      for (let i = 0; i < 12; i++) {
        await put({ ...PROFILE, greeting: [{ locale: 'default', text: `Edit ${i}` }] });
        await later(3_000);
      }
      const made = profileCalls().slice(before);
      assert.equal(made.length, 10);
      assert.ok(made.every((c) => c.status === 200));
      const waiting = await get();
      assert.equal(waiting.push.status, 'pending');
      assert.ok(waiting.push.next_attempt_at);
      await later(10 * MINUTE);
      assert.equal((await get()).push.status, 'pushed');
      assert.deepEqual(atMeta().greeting, [{ locale: 'default', text: 'Edit 11' }]);
    });

    it('when Meta answers 613 anyway, the push waits out the window and shows why', async () => {
      meta.emulator.advance(10 * MINUTE);
      app.clock.advance(10 * MINUTE);
      const token = meta.emulator.world.pages.get(pageId)!.accessToken;
      for (let i = 0; i < 10; i++)
        await fetch(`${meta.url}/v25.0/me/messenger_profile?fields=greeting&access_token=${token}`);
      await put({ ...PROFILE, greeting: [{ locale: 'default', text: 'After the limit' }] });
      await later(3_000);
      const shown = await get();
      assert.equal(shown.push.status, 'pending');
      assert.equal(shown.push.error.code, 613);
      await later(10 * MINUTE);
      assert.equal((await get()).push.status, 'pushed');
      assert.deepEqual(atMeta().greeting, [{ locale: 'default', text: 'After the limit' }]);
    });

    it('a push Meta refuses is shown as failed with Meta’s error', async () => {
      const other = meta.emulator.createPage({ name: 'Broken token' });
      await registerPage(app.ctx, cliActor, { id: other.id, name: 'Broken', access_token: 'EAA-not-a-real-token' });
      const owner = app.ownerToken;
      assert.equal((await put({ get_started: { payload: 'GO' } }, other.id, owner)).status, 200);
      await later(5_000);
      const res = await app.server.inject({
        method: 'GET',
        url: `/api/v1/pages/${other.id}/messenger-profile`,
        headers: { authorization: `Bearer ${owner}` },
      });
      const shown = res.json() as Body;
      assert.equal(shown.push.status, 'failed');
      assert.equal(shown.push.error.code, 190);
      assert.match(shown.push.error.message, /access token/i);
      // Saving the same profile again (say, after the token was replaced) pushes it again.
      const again = await put({ get_started: { payload: 'GO' } }, other.id, owner);
      assert.equal(again.body.push.status, 'pending');
    });

    it('refuses what Meta would, with 400 naming the field, and changes nothing', async () => {
      const five = Array.from({ length: 5 }, (_, i) => ({ question: `Q${i}?`, payload: `Q${i}` }));
      const r = await put({ ice_breakers: [{ locale: 'default', call_to_actions: five }] });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.details.field, 'ice_breakers[0].call_to_actions');
      const long = await put({ greeting: [{ locale: 'default', text: 'x'.repeat(161) }] });
      assert.equal(long.body.error.details.field, 'greeting[0].text');
      const menu = await put({ persistent_menu: PROFILE.persistent_menu });
      assert.equal(menu.body.error.details.field, 'persistent_menu');
      assert.deepEqual((await get()).greeting, [{ locale: 'default', text: 'After the limit' }]);
    });
  });
}
