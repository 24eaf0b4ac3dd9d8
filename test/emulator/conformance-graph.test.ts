// Conformance: identity, handover, Messenger Profile, subscriptions and signed-request callbacks
// (messenger-platform.md §1.1, §1.4, §2.11, §5–7, §9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appsecretProof,
  createEmulator,
  EXTERNAL_APP,
  parseSignedRequest,
  PAGE_INBOX_APP_ID,
} from '../../src/emulator/index.ts';
import { emulatorWithPage, recordingTransport } from '../../src/emulator/testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function setup(options = {}) {
  const ctx = emulatorWithPage(options);
  const psid = (await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hi')).psid!;
  const get = (path: string, query: Record<string, string> = {}, token = ctx.page.access_token) =>
    ctx.emu.graph({ method: 'GET', path: `/v25.0${path}`, query: { access_token: token, ...query } });
  const post = (path: string, body: Body, token = ctx.page.access_token) =>
    ctx.emu.graph({ method: 'POST', path: `/v25.0${path}`, query: { access_token: token }, body });
  return { ...ctx, psid, get, post };
}

test('PSIDs are 16-digit strings, stable per person and Page, different on every Page (§9)', async () => {
  const { emu, user, page, psid } = await setup();
  const other = emu.createPage({ name: 'Second shop' });
  const otherPsid = (await emu.user(user.id).says(other.id, 'hello')).psid!;
  assert.match(psid, /^[1-9]\d{15}$/);
  assert.match(otherPsid, /^[1-9]\d{15}$/);
  assert.notEqual(psid, otherPsid);
  assert.equal((await emu.user(user.id).says(page.id, 'again')).psid, psid);
  assert.notEqual(psid, user.id);
});

test('the same seed gives the same Pages, tokens and PSIDs; another seed gives others', async () => {
  const make = async (seed: string) => {
    const emu = createEmulator({ seed, clockMode: 'frozen' });
    const page = emu.createPage({ name: 'P' });
    const user = emu.createUser({ first_name: 'A', last_name: 'B' });
    const r = await emu.act(user.id, page.id, { type: 'message', text: 'x' });
    return [page.id, page.access_token, user.id, r.psid, r.mid];
  };
  assert.deepEqual(await make('s1'), await make('s1'));
  assert.notDeepEqual((await make('s1')).slice(0, 4), (await make('s2')).slice(0, 4));
});

test('no PSID exists before first contact', async () => {
  const { emu, page } = await setup();
  const stranger = emu.createUser({ first_name: 'Wei', last_name: 'Chen' });
  assert.equal(emu.psid(stranger.id, page.id), null);
});

test('the User Profile API returns the requested fields; timezone is a number (§5.1)', async () => {
  const { get, psid } = await setup();
  const res = await get(`/${psid}`, { fields: 'first_name,last_name,locale,timezone,profile_pic' });
  assert.equal(res.status, 200);
  const body = res.body as Body;
  assert.equal(body.first_name, 'Ana');
  assert.equal(body.last_name, 'Silva');
  assert.equal(body.locale, 'pt_BR');
  assert.equal(body.timezone, -3);
  assert.match(body.profile_pic, /^https:\/\//);
  assert.equal(body.id, psid);
});

test('without profile access the User Profile API answers 100/33; phone-number accounts 2018218 (§5.1)', async () => {
  const { get, psid } = await setup({ policy: { profileAccess: false } });
  const res = await get(`/${psid}`, { fields: 'first_name' });
  assert.equal(res.status, 400);
  assert.deepEqual(
    [(res.body as Body).error.code, (res.body as Body).error.error_subcode, (res.body as Body).error.type],
    [100, 33, 'GraphMethodException'],
  );
  const { emu, page, get: get2 } = await setup();
  const phone = emu.createUser({ first_name: 'P', last_name: 'N', no_profile: true });
  const p = (await emu.user(phone.id).says(page.id, 'hi')).psid!;
  assert.equal(((await get2(`/${p}`)).body as Body).error.code, 2018218);
});

test("ids_for_pages needs appsecret_proof and lists the person's PSIDs on the business's Pages (§5.2)", async () => {
  const { emu, user, page, psid, get } = await setup();
  const other = emu.createPage({ name: 'Outlet' });
  const otherPsid = (await emu.user(user.id).says(other.id, 'hi')).psid!;
  const missing = await get(`/${psid}/ids_for_pages`);
  assert.equal(missing.status, 400);
  assert.deepEqual(
    (missing.body as Body).error.message,
    'API calls from the server require an appsecret_proof argument',
  );
  assert.equal((missing.body as Body).error.type, 'GraphMethodException');
  const wrong = await get(`/${psid}/ids_for_pages`, { appsecret_proof: 'ab'.repeat(32) });
  assert.equal((wrong.body as Body).error.message, 'Invalid appsecret_proof provided in the API argument');
  const ok = await get(`/${psid}/ids_for_pages`, { appsecret_proof: appsecretProof('test-secret', page.access_token) });
  const data = (ok.body as Body).data as Body[];
  assert.deepEqual(
    data.map((d) => [d.id, d.page.id]).sort(),
    [
      [psid, page.id],
      [otherPsid, other.id],
    ].sort(),
  );
  assert.ok((ok.body as Body).paging.cursors.after);
  const appToken = `${emu.options.appId}|test-secret`;
  const byAsid = await get(
    `/${user.id}/ids_for_pages`,
    { page: other.id, appsecret_proof: appsecretProof('test-secret', appToken) },
    appToken,
  );
  assert.deepEqual(
    ((byAsid.body as Body).data as Body[]).map((d) => d.id),
    [otherPsid],
  );
});

test('ids_for_apps maps a PSID to the app-scoped id (§5.2)', async () => {
  const { emu, user, page, psid, get } = await setup();
  const res = await get(`/${psid}/ids_for_apps`, { appsecret_proof: appsecretProof('test-secret', page.access_token) });
  assert.deepEqual(
    ((res.body as Body).data as Body[]).map((d) => [d.id, d.app.id]),
    [[user.id, emu.options.appId]],
  );
});

test('thread control: take, thread_owner, pass to the Page Inbox, release, request (§6.2)', async () => {
  const { emu, psid, get, post, send } = await setup();
  const recipient = { id: psid };
  assert.deepEqual((await get('/me/thread_owner', { recipient: psid })).body, { data: [] });
  assert.deepEqual((await post('/me/take_thread_control', { recipient, metadata: 'bot' })).body, { success: true });
  assert.deepEqual((await get('/me/thread_owner', { recipient: psid })).body, {
    data: [{ thread_owner: { app_id: emu.options.appId } }],
  });
  assert.deepEqual((await post('/me/pass_thread_control', { recipient, target_app_id: PAGE_INBOX_APP_ID })).body, {
    success: true,
  });
  assert.equal(((await send({ recipient, message: { text: 'x' } })).body as Body).error.error_subcode, 2018300);
  assert.equal(((await post('/me/release_thread_control', { recipient })).body as Body).error.code, 10);
  assert.deepEqual((await post('/me/request_thread_control', { recipient, metadata: 'please' })).body, {
    success: true,
  });
  assert.deepEqual((await get('/me/secondary_receivers', { fields: 'id,name' })).body, {
    data: [
      { id: PAGE_INBOX_APP_ID, name: 'Page Inbox' },
      { id: EXTERNAL_APP.id, name: EXTERNAL_APP.name },
    ],
  });
});

test('thread control returns to idle after 24 hours without activity, unless extended (§6.1)', async () => {
  const { emu, psid, get, post } = await setup();
  await emu.handover({
    user_id: emu.users()[0]!.id,
    page_id: emu.pages()[0]!.id,
    app_id: PAGE_INBOX_APP_ID,
    action: 'take',
  });
  await emu.advance(24 * 3600_000 + 1);
  assert.deepEqual((await get('/me/thread_owner', { recipient: psid })).body, { data: [] });
  await post('/me/take_thread_control', { recipient: { id: psid } });
  assert.deepEqual((await post('/me/extend_thread_control', { recipient: { id: psid }, duration: 3 * 86400 })).body, {
    success: true,
  });
  await emu.advance(2 * 86400_000);
  assert.equal(((await get('/me/thread_owner', { recipient: psid })).body as Body).data.length, 1);
});

test('Messenger Profile: set, read and delete; the persistent menu needs Get Started (§3.5)', async () => {
  const { get, post, emu, page } = await setup();
  const menu = {
    persistent_menu: [
      { locale: 'default', call_to_actions: [{ type: 'postback', title: 'Orders', payload: 'ORDERS' }] },
    ],
  };
  assert.equal(((await post('/me/messenger_profile', menu)).body as Body).error.code, 100);
  assert.deepEqual(
    (
      await post('/me/messenger_profile', {
        get_started: { payload: 'GET_STARTED' },
        greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}!' }],
      })
    ).body,
    { result: 'success' },
  );
  assert.deepEqual(
    (
      await post('/me/messenger_profile', {
        ...menu,
        ice_breakers: [{ locale: 'default', call_to_actions: [{ question: 'Where is my order?', payload: 'WHERE' }] }],
      })
    ).body,
    { result: 'success' },
  );
  const read = await get('/me/messenger_profile', { fields: 'get_started,greeting' });
  assert.deepEqual(read.body, {
    data: [
      {
        get_started: { payload: 'GET_STARTED' },
        greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}!' }],
      },
    ],
  });
  const del = await emu.graph({
    method: 'DELETE',
    path: '/v25.0/me/messenger_profile',
    query: { access_token: page.access_token },
    body: { fields: ['greeting'] },
  });
  assert.deepEqual(del.body, { result: 'success' });
});

test('Messenger Profile allows 10 calls per 10 minutes per Page, then 613 (§3.5)', async () => {
  const { get, emu } = await setup();
  for (let i = 0; i < 10; i++) assert.equal((await get('/me/messenger_profile', { fields: 'greeting' })).status, 200);
  assert.equal(((await get('/me/messenger_profile', { fields: 'greeting' })).body as Body).error.code, 613);
  await emu.advance(10 * 60_000);
  assert.equal((await get('/me/messenger_profile', { fields: 'greeting' })).status, 200);
});

test('subscribed_apps: POST answers {"success":"true"} as documented; GET lists the app and its fields (§1.4)', async () => {
  const { get, emu, page } = await setup();
  const res = await emu.graph({
    method: 'POST',
    path: `/v25.0/${page.id}/subscribed_apps`,
    query: { access_token: page.access_token, subscribed_fields: 'messages,message_echoes' },
  });
  assert.deepEqual(res.body, { success: 'true' });
  const list = (await get(`/${page.id}/subscribed_apps`)).body as Body;
  assert.deepEqual(list.data[0].subscribed_fields, ['messages', 'message_echoes']);
  assert.equal(list.data[0].id, emu.options.appId);
  const bad = await emu.graph({
    method: 'POST',
    path: `/v25.0/${page.id}/subscribed_apps`,
    query: { access_token: page.access_token, subscribed_fields: 'nonsense' },
  });
  assert.equal((bad.body as Body).error.code, 100);
});

test('registering a callback sends the handshake GET and keeps the URL only if the challenge comes back (§1.1)', async () => {
  const rec = recordingTransport();
  const emu = createEmulator({ appSecret: 's', appId: '42', transport: rec.transport, clockMode: 'frozen' });
  const appToken = '42|s';
  const res = await emu.graph({
    method: 'POST',
    path: '/v25.0/42/subscriptions',
    query: { access_token: appToken },
    body: { object: 'page', callback_url: 'https://app.example/webhook', verify_token: 'vt', fields: 'messages' },
  });
  assert.deepEqual(res.body, { success: true });
  const hs = new URL(rec.requests[0]!.url);
  assert.equal(rec.requests[0]!.method, 'GET');
  assert.equal(hs.searchParams.get('hub.mode'), 'subscribe');
  assert.equal(hs.searchParams.get('hub.verify_token'), 'vt');
  assert.match(hs.searchParams.get('hub.challenge')!, /^\d+$/);
  assert.equal(emu.options.webhookUrl, 'https://app.example/webhook');
  rec.answer = () => ({ status: 403, body: '' });
  const refused = await emu.graph({
    method: 'POST',
    path: '/v25.0/42/subscriptions',
    query: { access_token: appToken },
    body: { object: 'page', callback_url: 'https://evil.example/hook', verify_token: 'x' },
  });
  assert.equal((refused.body as Body).error.code, 2200);
  assert.equal(emu.options.webhookUrl, 'https://app.example/webhook');
});

test('data deletion and deauthorize callbacks POST a signed_request with the app-scoped id (§7)', async () => {
  const { emu, user, rec } = await setup();
  rec.answer = () => ({ status: 200, body: '{"url":"https://x/status/abc","confirmation_code":"abc"}' });
  const r = await emu.removeApp(user.id, 'data_deletion');
  assert.equal(r.url, 'http://pagescope.test/meta/data-deletion');
  const req = rec.requests.at(-1)!;
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  const signed = new URLSearchParams(req.body).get('signed_request')!;
  const payload = parseSignedRequest('test-secret', signed)!;
  assert.equal(payload.user_id, user.id);
  assert.equal(payload.algorithm, 'HMAC-SHA256');
  assert.equal(payload.issued_at, Math.floor(emu.clock.now() / 1000));
  assert.equal(payload.expires, payload.issued_at + 3600);
  const deauth = await emu.removeApp(user.id, 'deauthorize');
  assert.equal(deauth.url, 'http://pagescope.test/meta/deauthorize');
  assert.equal('expires' in parseSignedRequest('test-secret', deauth.signed_request)!, false);
});

test('account linking: /me?fields=recipient maps a token to the PSID for 5 minutes; unlink_accounts (§2.11)', async () => {
  const { emu, user, page, psid, get, post, rec } = await setup();
  const token = emu.accountLinkingToken(user.id, page.id);
  assert.deepEqual((await get('/me', { fields: 'recipient', account_linking_token: token })).body, {
    recipient: psid,
    id: page.id,
  });
  await emu.advance(5 * 60_000 + 1);
  assert.equal(
    ((await get('/me', { fields: 'recipient', account_linking_token: token })).body as Body).error.code,
    10303,
  );
  assert.deepEqual((await post('/me/unlink_accounts', { psid })).body, { result: 'unlink account success' });
  await emu.flush();
  const last = (rec.envelopes().at(-1)!.entry[0]!.messaging as Body[])[0]!;
  assert.deepEqual(last.account_linking, { status: 'unlinked' });
});

test('GET /me with a Page token names the Page; unknown paths and versions in any v<major>.<minor> form', async () => {
  const { get, emu, page } = await setup();
  assert.deepEqual((await get('/me')).body, { name: 'Shop', id: page.id });
  const v2 = await emu.graph({ method: 'GET', path: '/v2.6/me', query: { access_token: page.access_token } });
  assert.equal(v2.status, 200);
  assert.equal(((await get('/me/nonsense_edge')).body as Body).error.code, 100);
});

test('without profile access the answer can be switched to the documented empty object (§5.1)', async () => {
  const { get, psid } = await setup({ policy: { profileAccess: false, profileDenied: 'empty' } });
  const res = await get(`/${psid}`, { fields: 'first_name' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {});
});

test('edges named like object properties are unknown paths, not handlers', async () => {
  const { post, psid } = await setup();
  for (const edge of ['constructor', 'toString', '__proto__']) {
    const res = await post(`/me/${edge}`, { recipient: { id: psid } });
    assert.equal(res.status, 400, edge);
  }
});
