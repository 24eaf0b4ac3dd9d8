import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleControl } from './control-api.ts';
import { emulatorWithPage } from './testing.ts';
import { PAGE_INBOX_APP_ID } from './options.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function setup() {
  const ctx = emulatorWithPage();
  await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hi');
  const call = async (method: string, path: string, body: unknown = {}, query = '') => {
    const r = await handleControl(ctx.emu, {
      method,
      path: `/_emulator${path}`,
      query: new URLSearchParams(query),
      body,
    });
    return { status: r.status, body: r.body as Body };
  };
  return { ...ctx, call };
}

test('the summary and the lists show what exists', async () => {
  const { call, page, user } = await setup();
  const summary = await call('GET', '');
  assert.equal(summary.body.pages, 1);
  assert.equal(summary.body.webhook_url, 'http://pagescope.test/webhook');
  assert.deepEqual(
    (await call('GET', '/pages')).body.data.map((p: Body) => p.id),
    [page.id],
  );
  assert.deepEqual(
    (await call('GET', '/users')).body.data.map((u: Body) => u.id),
    [user.id],
  );
});

test('a PSID leads to the person who holds it on that Page, and to nobody on another Page', async () => {
  const { call, page, user } = await setup();
  const psid = (await call('GET', '/psid', {}, `user_id=${user.id}&page_id=${page.id}`)).body.psid;
  const found = await call('GET', '/users', {}, `page_id=${page.id}&psid=${psid}`);
  assert.deepEqual(
    found.body.data.map((u: Body) => u.id),
    [user.id],
  );
  const other = (await call('POST', '/pages', { name: 'Other' })).body.id;
  assert.deepEqual((await call('GET', '/users', {}, `page_id=${other}&psid=${psid}`)).body.data, []);
  assert.equal((await call('GET', '/users', {}, `psid=${psid}`)).status, 400);
});

test('a Page can be created with a chosen id and token, but not twice', async () => {
  const { call } = await setup();
  const created = await call('POST', '/pages', { id: '111122223333444', name: 'Mine', access_token: 'EAAmine' });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, { id: '111122223333444', name: 'Mine', access_token: 'EAAmine' });
  assert.equal((await call('POST', '/pages', { id: '111122223333444', name: 'Again' })).status, 400);
});

test('another app takes the thread through /handover and the next message goes to standby', async () => {
  const { call, page, user, rec } = await setup();
  const r = await call('POST', '/handover', {
    user_id: user.id,
    page_id: page.id,
    app_id: PAGE_INBOX_APP_ID,
    action: 'take',
  });
  assert.equal(r.status, 200);
  await call('POST', `/users/${user.id}/actions`, { page_id: page.id, type: 'message', text: 'agent?' });
  assert.ok('standby' in rec.envelopes().at(-1)!.entry[0]!);
});

test('policy enforcement, account-linking tokens and app removal are reachable', async () => {
  const { call, page, user } = await setup();
  assert.equal(
    (await call('POST', `/pages/${page.id}/policy-enforcement`, { action: 'warning', reason: 'r' })).body.deliveries
      .length,
    1,
  );
  assert.match(
    (await call('POST', `/users/${user.id}/account-linking-token`, { page_id: page.id })).body.account_linking_token,
    /^[A-Za-z0-9_-]{32}$/,
  );
  const removed = await call('POST', `/users/${user.id}/remove-app`, { kind: 'deauthorize' });
  assert.equal(removed.body.url, 'http://pagescope.test/meta/deauthorize');
  assert.equal(removed.body.status, 200);
});

test('alerts and logs are listed, and since_id narrows the logs', async () => {
  const { call } = await setup();
  assert.deepEqual((await call('GET', '/alerts')).body, { data: [] });
  const all = (await call('GET', '/deliveries')).body.data as Body[];
  assert.equal(all.length, 1);
  assert.deepEqual((await call('GET', '/deliveries', {}, `since_id=${all[0]!.id}`)).body.data, []);
});

test('missing fields and unknown users are clear errors', async () => {
  const { call, page } = await setup();
  assert.deepEqual((await call('POST', '/users', { first_name: 'A' })).body, {
    error: { code: 'bad_request', message: 'last_name is required' },
  });
  assert.equal((await call('GET', '/users/nobody/inbox', {}, `page_id=${page.id}`)).status, 404);
  assert.equal((await call('GET', '/psid', {}, 'user_id=&page_id=')).status, 400);
  assert.equal((await call('POST', '/users/x/actions', { page_id: page.id })).status, 400);
});

test('an unknown action type is a 400, even one named like an object property', async () => {
  const { call, page, user } = await setup();
  for (const type of ['dance', 'toString', '__proto__']) {
    assert.equal((await call('POST', `/users/${user.id}/actions`, { page_id: page.id, type })).status, 400, type);
  }
});

test('a reassigned PSID matches no one, and the person comes back under a new one', async () => {
  const { call, page, user, send, rec } = await setup();
  const old = (await call('GET', '/psid', {}, `user_id=${user.id}&page_id=${page.id}`)).body.psid as string;
  assert.deepEqual((await call('POST', `/users/${user.id}/reassign-psid`, { page_id: page.id })).body, {
    retired_psid: old,
  });
  const refused = await send({ recipient: { id: old }, messaging_type: 'RESPONSE', message: { text: 'still there?' } });
  assert.equal(refused.status, 400);
  assert.deepEqual([(refused.body as Body).error.code, (refused.body as Body).error.error_subcode], [100, 2018001]);
  assert.equal((await call('GET', '/psid', {}, `user_id=${user.id}&page_id=${page.id}`)).status, 404);
  await call('POST', `/users/${user.id}/actions`, { page_id: page.id, type: 'message', text: 'new phone, who dis' });
  const renewed = (await call('GET', '/psid', {}, `user_id=${user.id}&page_id=${page.id}`)).body.psid as string;
  assert.match(renewed, /^\d{16}$/);
  assert.notEqual(renewed, old);
  assert.equal((rec.envelopes().at(-1)!.entry[0] as Body).messaging[0].sender.id, renewed);
  assert.equal(
    (await send({ recipient: { id: renewed }, messaging_type: 'RESPONSE', message: { text: 'welcome back' } })).status,
    200,
  );
});

test('a PSID cannot be reassigned before the person has contacted the Page', async () => {
  const { call, emu, page } = await setup();
  const stranger = emu.createUser({ first_name: 'Bo', last_name: 'Lee' });
  assert.equal((await call('POST', `/users/${stranger.id}/reassign-psid`, { page_id: page.id })).status, 409);
});
