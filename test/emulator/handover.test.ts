// Conformance: the handover protocol with a second app on the Page (messenger-platform.md §2.12, §2.13, §6).
// The emulator plays the Helpdesk Bot (EXTERNAL_APP) through its control API; our app calls the Graph endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXTERNAL_APP, PAGE_INBOX_APP_ID } from '../../src/emulator/index.ts';
import { handleControl } from '../../src/emulator/control-api.ts';
import { emulatorWithPage } from '../../src/emulator/testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function setup() {
  const ctx = emulatorWithPage();
  const psid = (await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hi')).psid!;
  const recipient = { id: psid };
  const get = async (path: string, query: Record<string, string> = {}) =>
    (
      await ctx.emu.graph({
        method: 'GET',
        path: `/v25.0${path}`,
        query: { access_token: ctx.page.access_token, ...query },
      })
    ).body as Body;
  const post = async (path: string, body: Body) =>
    (
      await ctx.emu.graph({
        method: 'POST',
        path: `/v25.0${path}`,
        query: { access_token: ctx.page.access_token },
        body,
      })
    ).body as Body;
  const control = async (body: Body) => {
    const r = await handleControl(ctx.emu, {
      method: 'POST',
      path: '/_emulator/handover',
      query: new URLSearchParams(),
      body: { user_id: ctx.user.id, page_id: ctx.page.id, ...body },
    });
    return { status: r.status, body: r.body as Body };
  };
  /** The items of the last webhook POST, by entry key (`messaging` or `standby`). */
  const lastItems = () => {
    const entry = ctx.rec.envelopes().at(-1)!.entry[0]!;
    return { key: 'standby' in entry ? 'standby' : 'messaging', items: (entry.standby ?? entry.messaging) as Body[] };
  };
  const owner = async () => (await get('/me/thread_owner', { recipient: psid })).data as Body[];
  return { ...ctx, psid, recipient, get, post, control, lastItems, owner };
}

test('the Page has two secondary receivers: the Page Inbox and the Helpdesk Bot the emulator plays', async () => {
  const { get } = await setup();
  assert.deepEqual(await get('/me/secondary_receivers', { fields: 'id,name' }), {
    data: [
      { id: PAGE_INBOX_APP_ID, name: 'Page Inbox' },
      { id: EXTERNAL_APP.id, name: EXTERNAL_APP.name },
    ],
  });
});

test('the second app takes the thread: our app hears take_thread_control, the person writes on standby', async () => {
  const { emu, page, user, control, lastItems, owner, send, recipient } = await setup();
  await control({ action: 'take' }); // idle: nobody to tell
  await control({ action: 'pass', target_app_id: emu.options.appId, metadata: 'yours' });
  assert.deepEqual(lastItems().items[0]!.pass_thread_control, {
    previous_owner_app_id: EXTERNAL_APP.id,
    new_owner_app_id: emu.options.appId,
    metadata: 'yours',
  });
  const taken = await control({ action: 'take', metadata: 'mine now' });
  assert.equal(taken.status, 200);
  const { key, items } = lastItems();
  assert.equal(key, 'messaging');
  assert.deepEqual(items[0]!.take_thread_control, {
    previous_owner_app_id: emu.options.appId,
    new_owner_app_id: EXTERNAL_APP.id,
    metadata: 'mine now',
  });
  assert.deepEqual(await owner(), [{ thread_owner: { app_id: EXTERNAL_APP.id } }]);
  await emu.user(user.id).says(page.id, 'is anyone there?');
  assert.equal(lastItems().key, 'standby');
  assert.equal(lastItems().items[0]!.message.text, 'is anyone there?');
  const refused = (await send({ recipient, message: { text: 'hello' } })).body as Body;
  assert.equal(refused.error.code, 10);
  assert.equal(refused.error.error_subcode, 2018300);
  assert.match(refused.error.message, /another app is controlling this thread/);
});

test('our app takes the thread back and answers; the second app is the one told', async () => {
  const { emu, page, user, control, post, owner, send, recipient, lastItems, rec } = await setup();
  await control({ action: 'take' });
  const posts = rec.envelopes().length;
  assert.deepEqual(await post('/me/take_thread_control', { recipient, metadata: 'agent' }), { success: true });
  await emu.flush();
  assert.equal(rec.envelopes().length, posts, 'take_thread_control goes to the previous owner, not to us');
  assert.deepEqual(await owner(), [{ thread_owner: { app_id: emu.options.appId } }]);
  assert.equal((await send({ recipient, message: { text: 'back with you' } })).status, 200);
  await emu.user(user.id).says(page.id, 'thanks');
  assert.equal(lastItems().key, 'messaging');
});

test('our app passes the thread to the second app; only the owner may pass', async () => {
  const { emu, control, post, owner, recipient } = await setup();
  assert.deepEqual(await post('/me/pass_thread_control', { recipient, target_app_id: EXTERNAL_APP.id }), {
    success: true,
  });
  assert.deepEqual(await owner(), [{ thread_owner: { app_id: EXTERNAL_APP.id } }]);
  const notOwner = await post('/me/pass_thread_control', { recipient, target_app_id: PAGE_INBOX_APP_ID });
  assert.equal(notOwner.error.code, 10);
  assert.equal(notOwner.error.error_subcode, 2018300);
  const unknownApp = await post('/me/pass_thread_control', { recipient, target_app_id: '999999999999999' });
  assert.equal(unknownApp.error.code, 100);
  const missing = await post('/me/pass_thread_control', { target_app_id: EXTERNAL_APP.id });
  assert.equal(missing.error.code, 100);
  await control({ action: 'pass', target_app_id: emu.options.appId });
  assert.deepEqual(await owner(), [{ thread_owner: { app_id: emu.options.appId } }]);
});

test('a request for the thread reaches the owner as request_thread_control', async () => {
  const { emu, control, post, recipient, lastItems } = await setup();
  await post('/me/take_thread_control', { recipient });
  await control({ action: 'request', metadata: 'may I?' });
  assert.deepEqual(lastItems().items[0]!.request_thread_control, {
    requested_owner_app_id: Number(EXTERNAL_APP.id),
    metadata: 'may I?',
  });
  const own = await post('/me/request_thread_control', { recipient });
  assert.equal(own.error.code, 100, 'the owner cannot request what it has');
  await control({ action: 'take' });
  assert.deepEqual(await post('/me/request_thread_control', { recipient, metadata: 'please' }), { success: true });
  assert.equal(emu.options.appId !== EXTERNAL_APP.id, true);
});

test('an app that is not connected to the Page is refused, by the control API too', async () => {
  const { control, get, psid } = await setup();
  const r = await control({ action: 'take', app_id: '123456789012345' });
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /Only available to Primary and Secondary Receivers/);
  assert.deepEqual(await get('/me/thread_owner', { recipient: psid }), { data: [] });
  const unknownPerson = await get('/me/thread_owner', { recipient: '1000000000000001' });
  assert.equal(unknownPerson.error.error_subcode, 2018001);
});

test('control lapses after 24 h without activity: the person’s next message comes on messaging again', async () => {
  const { emu, page, user, control, lastItems, owner } = await setup();
  await control({ action: 'take' });
  await emu.user(user.id).says(page.id, 'still there?');
  assert.equal(lastItems().key, 'standby');
  await emu.advance(24 * 3600_000 + 1);
  await emu.user(user.id).says(page.id, 'hello again');
  assert.equal(lastItems().key, 'messaging');
  assert.deepEqual(await owner(), []);
});
