// Conformance: the Send API's validation, policy and exact error JSON (messenger-platform.md §3–4, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorWithPage } from '../../src/emulator/testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

async function setup(options = {}) {
  const ctx = emulatorWithPage(options);
  const psid = (await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hi')).psid!;
  const text = (t = 'hello', extra: Body = {}) =>
    ctx.send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: t }, ...extra });
  return { ...ctx, psid, text };
}

function assertError(
  res: { status: number; body: unknown },
  expected: { message?: string | RegExp; type?: string; code: number; error_subcode?: number },
) {
  assert.equal(res.status, 400);
  const { error } = res.body as Body;
  const keys = [
    'message',
    'type',
    'code',
    ...(expected.error_subcode === undefined ? [] : ['error_subcode']),
    'fbtrace_id',
  ];
  assert.deepEqual(Object.keys(error), keys);
  if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
  else if (expected.message) assert.match(error.message, expected.message);
  assert.equal(error.type, expected.type ?? 'OAuthException');
  assert.equal(error.code, expected.code);
  assert.equal(error.error_subcode, expected.error_subcode);
  assert.match(error.fbtrace_id, /^[A-Za-z0-9_-]{11,}$/);
}

test('a text message answers {recipient_id, message_id}', async () => {
  const { text, psid } = await setup();
  const res = await text();
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body as Body), ['recipient_id', 'message_id']);
  assert.equal((res.body as Body).recipient_id, psid);
});

test('a bad token is 190 "Invalid OAuth access token." with no (#) prefix; none at all is 2500', async () => {
  const { send, psid } = await setup();
  assertError(await send({ recipient: { id: psid }, message: { text: 'x' } }, 'EAAnot-a-token'), {
    message: 'Invalid OAuth access token.',
    code: 190,
  });
  assertError(await send({ recipient: { id: psid }, message: { text: 'x' } }, ''), { code: 2500 });
});

test('the token is also accepted as Authorization: Bearer, and the body as form fields with JSON values', async () => {
  const { emu, page, psid } = await setup();
  const bearer = await emu.graph({
    method: 'POST',
    path: '/v25.0/me/messages',
    headers: { authorization: `Bearer ${page.access_token}` },
    body: { recipient: { id: psid }, message: { text: 'x' } },
  });
  assert.equal(bearer.status, 200);
  const form = `recipient=${encodeURIComponent(`{'id':'${psid}'}`)}&messaging_type=RESPONSE&message=${encodeURIComponent('{"text":"hello, world"}')}&access_token=${page.access_token}`;
  const res = await emu.graph({ method: 'POST', path: `/v19.0/${page.id}/messages`, body: form });
  assert.equal(res.status, 200);
});

test('a person who blocked the Page gives 551/1545041', async () => {
  const { emu, user, page, text } = await setup();
  await emu.user(user.id).blocks(page.id);
  assertError(await text(), {
    message: "(#551) This person isn't available right now.",
    code: 551,
    error_subcode: 1545041,
  });
  await emu.user(user.id).unblocks(page.id);
  assert.equal((await text()).status, 200);
});

test('a PSID of another Page, or none at all, gives 100/2018001 "No matching user found"', async () => {
  const { emu, user, send } = await setup();
  const other = emu.createPage({ name: 'Other' });
  const otherPsid = (await emu.user(user.id).says(other.id, 'hi')).psid!;
  const expected = { message: '(#100) No matching user found', code: 100, error_subcode: 2018001 };
  assertError(
    await send({ recipient: { id: otherPsid }, messaging_type: 'RESPONSE', message: { text: 'x' } }),
    expected,
  );
  assertError(
    await send({ recipient: { id: '1234567890123456' }, messaging_type: 'RESPONSE', message: { text: 'x' } }),
    expected,
  );
});

test('the 24-hour window: allowed at 23:59:59, refused with 10/2018278 at 24:00:01', async () => {
  const { emu, text } = await setup();
  await emu.advance(DAY - SECOND);
  assert.equal((await text()).status, 200);
  await emu.advance(2 * SECOND);
  assertError(await text(), {
    message:
      '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
    code: 10,
    error_subcode: 2018278,
  });
});

test('HUMAN_AGENT reaches up to 7 days after the last user message, and no further', async () => {
  const { emu, text } = await setup();
  const agent = () => text('agent here', { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  await emu.advance(7 * DAY - SECOND);
  assert.equal((await agent()).status, 200);
  assertError(await text(), { code: 10, error_subcode: 2018278 });
  await emu.advance(2 * SECOND);
  assertError(await agent(), { code: 10, error_subcode: 2018278 });
});

test('a page message does not reopen the window; a user message, postback or reaction does', async () => {
  const { emu, user, page, text } = await setup();
  await emu.advance(20 * HOUR);
  const mid = ((await text()).body as Body).message_id;
  await emu.advance(5 * HOUR);
  assertError(await text(), { code: 10, error_subcode: 2018278 });
  await emu.user(user.id).reacts(page.id, mid, 'like');
  assert.equal((await text()).status, 200);
  await emu.advance(25 * HOUR);
  await emu.user(user.id).postback(page.id, 'MENU');
  assert.equal((await text()).status, 200);
});

test('deprecated tags are refused with code 100 after 2026-04-27 and accepted before', async () => {
  for (const tag of ['CONFIRMED_EVENT_UPDATE', 'ACCOUNT_UPDATE', 'POST_PURCHASE_UPDATE']) {
    const after = await setup();
    const res = await after.text('update', { messaging_type: 'MESSAGE_TAG', tag });
    assertError(res, { code: 100 });
    const before = await setup({ clockStart: Date.UTC(2026, 3, 26, 23, 59) });
    assert.equal((await before.text('update', { messaging_type: 'MESSAGE_TAG', tag })).status, 200);
  }
});

test('MESSAGE_TAG without a tag, an unknown tag or an unknown messaging_type is code 100', async () => {
  const { text } = await setup();
  assertError(await text('x', { messaging_type: 'MESSAGE_TAG' }), { code: 100 });
  assertError(await text('x', { messaging_type: 'MESSAGE_TAG', tag: 'SHIPPING_UPDATE' }), { code: 100 });
  assertError(await text('x', { messaging_type: 'PROMO' }), { code: 100 });
});

test('text must be under 2000 characters: 1999 passes, 2000 is code 100', async () => {
  const { text } = await setup();
  assert.equal((await text('é'.repeat(1999))).status, 200);
  assertError(await text('a'.repeat(2000)), { code: 100, message: /2000/ });
});

test('at most 13 quick replies', async () => {
  const { send, psid } = await setup();
  const qr = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ content_type: 'text', title: `Option ${i}`, payload: `P${i}` }));
  const body = (n: number) => ({
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    message: { text: 'Pick', quick_replies: qr(n) },
  });
  assert.equal((await send(body(13))).status, 200);
  assertError(await send(body(14)), { code: 100, message: /13/ });
});

test('sender actions go alone: with a message they are 100/2018014; alone they answer only recipient_id', async () => {
  const { send, psid } = await setup();
  assertError(await send({ recipient: { id: psid }, sender_action: 'typing_on', message: { text: 'x' } }), {
    message: '(#100) Cannot send both message and state at the same time.',
    code: 100,
    error_subcode: 2018014,
  });
  const res = await send({ recipient: { id: psid }, sender_action: 'typing_on' });
  assert.deepEqual(res.body, { recipient_id: psid });
});

test('an empty message is 100/2018034, a missing recipient is code 100', async () => {
  const { send, psid } = await setup();
  assertError(await send({ recipient: { id: psid }, message: {} }), { code: 100, error_subcode: 2018034 });
  assertError(await send({ message: { text: 'x' } }), {
    message: '(#100) The parameter recipient is required',
    code: 100,
  });
});

test('a user_ref recipient is answered without recipient_id', async () => {
  const { emu, page, send } = await setup();
  const visitor = emu.createUser({ first_name: 'Hiro', last_name: 'Tanaka' });
  await emu.user(visitor.id).checksBox(page.id, 'uref-1');
  const res = await send({
    recipient: { user_ref: 'uref-1' },
    messaging_type: 'RESPONSE',
    message: { text: 'Thanks for your order' },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body as Body), ['message_id']);
  assertError(await send({ recipient: { user_ref: 'unknown' }, message: { text: 'x' } }), {
    code: 100,
    error_subcode: 2018001,
  });
});

test('marketing tokens: sendable outside the window, 10/1893015 after STOP, 4/2018354 within the frequency cap', async () => {
  const { emu, user, page, send } = await setup();
  const token = (await emu.user(user.id).marketing(page.id, 'opt_in', 'Deals')).notification_messages_token!;
  await emu.advance(3 * DAY);
  const mm = () => send({ recipient: { notification_messages_token: token }, message: { text: 'Sale!' } });
  assert.equal((await mm()).status, 200);
  assertError(await mm(), { code: 4, error_subcode: 2018354 });
  await emu.advance(2 * DAY);
  await emu.user(user.id).marketing(page.id, 'stop', 'Deals');
  assertError(await mm(), {
    message: '(#10) This user has currently stopped notification messages for this topic',
    code: 10,
    error_subcode: 1893015,
  });
  await emu.user(user.id).marketing(page.id, 'resume', 'Deals');
  assert.equal((await mm()).status, 200);
  assertError(await send({ recipient: { notification_messages_token: '999' }, message: { text: 'x' } }), { code: 100 });
});

test('over 300 text calls per second per Page is 613; audio/video allow 10 per second', async () => {
  const { text, send, psid, emu } = await setup();
  for (let i = 0; i < 300; i++) assert.equal((await text()).status, 200);
  assertError(await text(), {
    message: '(#613) Calls to this api have exceeded the rate limit.',
    code: 613,
    error_subcode: 2534040,
  });
  const video = () =>
    send({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'video', payload: { url: 'https://cdn.example/v.mp4' } } },
    });
  for (let i = 0; i < 10; i++) assert.equal((await video()).status, 200);
  assertError(await video(), { code: 613, error_subcode: 2534040 });
  await emu.advance(SECOND);
  assert.equal((await text()).status, 200);
  assert.equal((await video()).status, 200);
});

test('rate limits can be switched off', async () => {
  const { text } = await setup({ rateLimits: false });
  for (let i = 0; i < 400; i++) assert.equal((await text()).status, 200);
});

test('a thread controlled by another app refuses sends with 10/2018300', async () => {
  const { emu, user, page, text } = await setup();
  await emu.handover({ user_id: user.id, page_id: page.id, app_id: '263902037430900', action: 'take' });
  assertError(await text(), {
    message: '(#10) Message failed to send because another app is controlling this thread now.',
    code: 10,
    error_subcode: 2018300,
  });
});

test('another Page id in the path is 100/33 GraphMethodException', async () => {
  const { emu, page, psid } = await setup();
  const res = await emu.graph({
    method: 'POST',
    path: '/v25.0/999999999999999/messages',
    query: { access_token: page.access_token },
    body: { recipient: { id: psid }, message: { text: 'x' } },
  });
  assertError(res, { code: 100, error_subcode: 33, type: 'GraphMethodException' });
});

test("what the Page sends lands in the person's inbox, with its tag and metadata", async () => {
  const { emu, user, page, text } = await setup();
  await text('first', {
    messaging_type: 'MESSAGE_TAG',
    tag: 'HUMAN_AGENT',
    message: { text: 'first', metadata: 'm1' },
  });
  const inbox = emu.inbox(user.id, page.id);
  assert.equal(inbox.length, 1);
  assert.equal(inbox[0]!.text, 'first');
  assert.equal(inbox[0]!.tag, 'HUMAN_AGENT');
  assert.equal(inbox[0]!.metadata, 'm1');
});

test('the call log holds every Graph request with its answer, tokens left out', async () => {
  const { emu, text } = await setup();
  await text('logged');
  const [call] = emu.calls();
  assert.equal(call!.method, 'POST');
  assert.equal(call!.path, '/v25.0/me/messages');
  assert.equal(call!.status, 200);
  assert.equal('access_token' in call!.params, false);
  assert.deepEqual((call!.params as Body).message, { text: 'logged' });
});
