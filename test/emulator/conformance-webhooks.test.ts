// Conformance: every webhook shape against the reference (messenger-platform.md §1–2), fact by fact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PAGE_INBOX_APP_ID } from '../../src/emulator/index.ts';
import { emulatorWithPage } from '../../src/emulator/testing.ts';

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function setup(options = {}) {
  const ctx = emulatorWithPage(options);
  const first = await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hi');
  const psid = first.psid!;
  const last = (): Item => {
    const env = ctx.rec.envelopes().at(-1)!;
    const entry = env.entry.at(-1)!;
    return ((entry.messaging ?? entry.standby) as Item[])[0]!;
  };
  return { ...ctx, psid, u: ctx.emu.user(ctx.user.id), last };
}

test('the envelope is {"object":"page","entry":[{id, time, messaging:[one item]}]} with times in ms (§2.1)', async () => {
  const { rec, page, emu } = await setup();
  const env = rec.envelopes()[0]!;
  assert.equal(env.object, 'page');
  assert.equal(env.entry.length, 1);
  const entry = env.entry[0]!;
  assert.deepEqual(Object.keys(entry), ['id', 'time', 'messaging']);
  assert.equal(entry.id, page.id);
  assert.equal(entry.time, emu.clock.now());
  assert.equal((entry.messaging as unknown[]).length, 1);
});

test('each POST carries both signatures over the exact bytes, with lowercase hex (§1.2)', async () => {
  const { rec } = await setup();
  const req = rec.requests.find((r) => r.method === 'POST')!;
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(
    req.headers['x-hub-signature-256'],
    `sha256=${createHmac('sha256', 'test-secret').update(req.body!).digest('hex')}`,
  );
  assert.equal(
    req.headers['x-hub-signature'],
    `sha1=${createHmac('sha1', 'test-secret').update(req.body!).digest('hex')}`,
  );
});

test('bodies are sent escaped: non-ASCII as \\uXXXX, "/" as "\\/" (§1.2)', async () => {
  const { u, page, rec } = await setup();
  await u.says(page.id, 'Größe 👍 https://example.com/a');
  const body = rec.requests.at(-1)!.body!;
  assert.ok(body.includes('Gr\\u00f6\\u00dfe \\ud83d\\udc4d https:\\/\\/example.com\\/a'));
  assert.match(body, /^[\x20-\x7e]*$/);
});

test('a text message: sender PSID, recipient Page, mid in the modern m_ form (§2.2)', async () => {
  const { page, psid, last, emu } = await setup();
  const item = last();
  assert.deepEqual(item.sender, { id: psid });
  assert.deepEqual(item.recipient, { id: page.id });
  assert.equal(item.timestamp, emu.clock.now());
  assert.match(item.message.mid, /^m_[A-Za-z0-9_-]{86}$/);
  assert.equal(item.message.text, 'hi');
});

test('a quick reply carries message.quick_reply.payload (§2.2)', async () => {
  const { u, page, last } = await setup();
  await u.quickReply(page.id, 'Red', 'PICK_RED');
  assert.deepEqual(last().message.quick_reply, { payload: 'PICK_RED' });
  assert.equal(last().message.text, 'Red');
});

test('a reply carries reply_to {mid, is_self_reply} (§2.2)', async () => {
  const { u, page, send, psid, last } = await setup();
  const sent = await send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'Which size?' } });
  const mid = (sent.body as Item).message_id;
  await u.says(page.id, 'M please', { reply_to: mid });
  assert.deepEqual(last().message.reply_to, { mid, is_self_reply: false });
});

test('attachments arrive as [{type, payload:{url}}] (§2.2)', async () => {
  const { u, page, last } = await setup();
  await u.sends(page.id, [{ type: 'image', url: 'https://cdn.example/p.jpg' }]);
  assert.deepEqual(last().message.attachments, [{ type: 'image', payload: { url: 'https://cdn.example/p.jpg' } }]);
  assert.equal('text' in last().message, false);
});

test('an ad referral inside a message has source ADS, type OPEN_THREAD and ad_id (§2.2)', async () => {
  const { u, page, last } = await setup();
  await u.says(page.id, 'Is this in stock?', { referral: { ref: 'summer', ad_id: '6045246247433' } });
  assert.deepEqual(last().message.referral, {
    source: 'ADS',
    type: 'OPEN_THREAD',
    ref: 'summer',
    ad_id: '6045246247433',
  });
});

test('an echo: sender Page, recipient PSID, is_echo, numeric app_id, metadata (§2.3)', async () => {
  const { page, psid, send, rec, emu } = await setup();
  await send({
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    message: { text: 'hello, world!', metadata: 'crm:42' },
  });
  await emu.flush();
  const echo = rec
    .envelopes()
    .map((e) => (e.entry[0]!.messaging as Item[])[0]!)
    .find((i) => i.message?.is_echo)!;
  assert.deepEqual(echo.sender, { id: page.id });
  assert.deepEqual(echo.recipient, { id: psid });
  assert.deepEqual(Object.keys(echo.message), ['is_echo', 'app_id', 'metadata', 'mid', 'text']);
  assert.equal(typeof echo.message.app_id, 'number');
  assert.equal(String(echo.message.app_id), emu.options.appId);
  assert.equal(echo.message.metadata, 'crm:42');
});

test('delivery receipts follow a Page message: sender PSID, mids and watermark (§2.8)', async () => {
  const { psid, send, rec, emu, page } = await setup();
  const sent = await send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'ok' } });
  await emu.flush();
  const delivery = rec
    .envelopes()
    .map((e) => (e.entry[0]!.messaging as Item[])[0]!)
    .find((i) => i.delivery)!;
  assert.deepEqual(delivery.sender, { id: psid });
  assert.deepEqual(delivery.recipient, { id: page.id });
  assert.deepEqual(delivery.delivery, { mids: [(sent.body as Item).message_id], watermark: emu.clock.now() });
});

test('a read has a watermark and no mids (§2.7)', async () => {
  const { u, page, last, emu } = await setup();
  await emu.advance(1000);
  await u.reads(page.id);
  assert.deepEqual(last().read, { watermark: emu.clock.now() });
});

test('a reaction carries reaction, emoji, action and mid (§2.9)', async () => {
  const { u, page, psid, send, last } = await setup();
  const mid = (
    (await send({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'x' } })).body as Item
  ).message_id;
  await u.reacts(page.id, mid, 'sad');
  assert.deepEqual(last().reaction, { reaction: 'sad', emoji: '\u{1F622}', action: 'react', mid });
  await u.reacts(page.id, mid, 'sad', 'unreact');
  assert.equal(last().reaction.action, 'unreact');
});

test('a postback carries mid, title and payload, and a referral when given (§2.4)', async () => {
  const { u, page, last } = await setup();
  await u.postback(page.id, 'MENU_ORDERS', 'My orders', { ref: 'promo', source: 'SHORTLINK' });
  const { postback } = last();
  assert.match(postback.mid, /^m_/);
  assert.equal(postback.title, 'My orders');
  assert.equal(postback.payload, 'MENU_ORDERS');
  assert.deepEqual(postback.referral, { source: 'SHORTLINK', type: 'OPEN_THREAD', ref: 'promo' });
});

test('an m.me link into an existing thread is a messaging_referrals event (§2.5)', async () => {
  const { u, page, last } = await setup();
  await u.follows(page.id, 'spring_sale');
  assert.deepEqual(last().referral, { ref: 'spring_sale', source: 'SHORTLINK', type: 'OPEN_THREAD' });
  await u.follows(page.id, 'ad_ref', { ad_id: '123' });
  assert.deepEqual(last().referral, { ref: 'ad_ref', ad_id: '123', source: 'ADS', type: 'OPEN_THREAD' });
});

test('a new conversation from m.me arrives as the Get Started postback with the referral (§2.4)', async () => {
  const { emu, page } = await setup();
  await emu.graph({
    method: 'POST',
    path: '/v25.0/me/messenger_profile',
    query: { access_token: page.access_token },
    body: { get_started: { payload: 'GET_STARTED' } },
  });
  const newcomer = emu.createUser({ first_name: 'Noor', last_name: 'Haddad' });
  const r = await emu.user(newcomer.id).follows(page.id, 'from_qr');
  const item = r.events[0] as Item;
  assert.equal(item.postback.payload, 'GET_STARTED');
  assert.equal(item.postback.title, 'Get Started');
  assert.deepEqual(item.postback.referral, { ref: 'from_qr', source: 'SHORTLINK', type: 'OPEN_THREAD' });
});

test('a checkbox opt-in has no sender; the first reply links the PSID with prior_message (§2.6a)', async () => {
  const { emu, page } = await setup();
  const visitor = emu.createUser({ first_name: 'Ines', last_name: 'Costa' });
  const optin = await emu.user(visitor.id).checksBox(page.id, 'ref-ab12', 'checkout');
  const item = optin.events[0] as Item;
  assert.equal('sender' in item, false);
  assert.deepEqual(item.recipient, { id: page.id });
  assert.deepEqual(item.optin, { ref: 'checkout', user_ref: 'ref-ab12' });
  const reply = await emu.user(visitor.id).says(page.id, 'thanks');
  assert.deepEqual((reply.events[0] as Item).prior_message, { source: 'checkbox_plugin', identifier: 'ref-ab12' });
  const again = await emu.user(visitor.id).says(page.id, 'again');
  assert.equal('prior_message' in (again.events[0] as Item), false);
});

test('a marketing opt-in gives a token; STOP and RESUME carry notification_messages_status (§2.6b)', async () => {
  const { u, page, last } = await setup();
  const r = await u.marketing(page.id, 'opt_in', 'Weekly deals');
  const { optin } = last();
  assert.equal(optin.type, 'notification_messages');
  assert.equal(optin.notification_messages_token, r.notification_messages_token);
  assert.equal(optin.title, 'Weekly deals');
  assert.equal('notification_messages_status' in optin, false);
  await u.marketing(page.id, 'stop', 'Weekly deals');
  assert.equal(last().optin.notification_messages_status, 'STOP NOTIFICATIONS');
  await u.marketing(page.id, 'resume', 'Weekly deals');
  assert.equal(last().optin.notification_messages_status, 'RESUME NOTIFICATIONS');
});

test('account linking sends linked with the authorization code, and unlinked (§2.11)', async () => {
  const { u, page, last } = await setup();
  await u.links(page.id, 'AUTH-CODE');
  assert.deepEqual(last().account_linking, { status: 'linked', authorization_code: 'AUTH-CODE' });
  await u.unlinks(page.id);
  assert.deepEqual(last().account_linking, { status: 'unlinked' });
});

test('block and unblock cause no webhook (§9)', async () => {
  const { u, page } = await setup();
  assert.deepEqual((await u.blocks(page.id)).events, []);
  assert.deepEqual((await u.unblocks(page.id)).events, []);
});

test('while another app owns the thread, events go to standby and postbacks lose their payload (§2.12)', async () => {
  const { emu, u, page, user, rec } = await setup();
  await emu.handover({ user_id: user.id, page_id: page.id, app_id: PAGE_INBOX_APP_ID, action: 'take' });
  await u.postback(page.id, 'SECRET', 'Button');
  const entry = rec.envelopes().at(-1)!.entry[0]!;
  assert.equal('messaging' in entry, false);
  const item = (entry.standby as Item[])[0]!;
  assert.equal(item.postback.title, 'Button');
  assert.equal('payload' in item.postback, false);
});

test('handover webhooks: pass to us, take from us, request while we own (§2.13)', async () => {
  const { emu, page, user, psid, rec } = await setup();
  const owner = { user_id: user.id, page_id: page.id, app_id: PAGE_INBOX_APP_ID };
  await emu.handover({ ...owner, action: 'take' });
  await emu.handover({ ...owner, action: 'pass', target_app_id: emu.options.appId, metadata: 'back to bot' });
  const item = (n: number): Item => (rec.envelopes().at(n)!.entry[0]!.messaging as Item[])[0]!;
  assert.deepEqual(item(-1).pass_thread_control, {
    previous_owner_app_id: PAGE_INBOX_APP_ID,
    new_owner_app_id: emu.options.appId,
    metadata: 'back to bot',
  });
  assert.deepEqual(item(-1).sender, { id: psid });
  await emu.handover({ ...owner, action: 'request', metadata: 'agent wants it' });
  assert.deepEqual(item(-1).request_thread_control, {
    requested_owner_app_id: Number(PAGE_INBOX_APP_ID),
    metadata: 'agent wants it',
  });
  await emu.handover({ ...owner, action: 'take', metadata: 'taking' });
  assert.deepEqual(item(-1).take_thread_control, {
    previous_owner_app_id: emu.options.appId,
    new_owner_app_id: PAGE_INBOX_APP_ID,
    metadata: 'taking',
  });
});

test('policy enforcement has no sender and no reason on unblock (§2.14)', async () => {
  const { emu, page, last } = await setup();
  await emu.enforcePolicy(page.id, 'block', 'spam');
  assert.deepEqual(last(), {
    recipient: { id: page.id },
    timestamp: emu.clock.now(),
    policy_enforcement: { action: 'block', reason: 'spam' },
  });
  await emu.enforcePolicy(page.id, 'unblock', 'ignored');
  assert.deepEqual(last().policy_enforcement, { action: 'unblock' });
});

test('events for fields the Page is not subscribed to are not sent (§1.4)', async () => {
  const { emu, page, u, rec } = await setup();
  await emu.graph({
    method: 'POST',
    path: '/v25.0/me/subscribed_apps',
    query: { access_token: page.access_token, subscribed_fields: 'messages' },
  });
  const before = rec.requests.length;
  await u.reads(page.id);
  assert.equal(rec.requests.length, before);
  await u.says(page.id, 'still here');
  assert.equal(rec.requests.length, before + 1);
});

test('an edit carries message_edit {mid, text, num_edit}; a sixth edit is refused (§2.10)', async () => {
  const { u, page, last, emu, user } = await setup();
  const mid = (await u.says(page.id, 'helo')).mid!;
  await u.edits(page.id, mid, 'hello');
  assert.deepEqual(last().message_edit, { mid, text: 'hello', num_edit: 1 });
  for (let i = 2; i <= 5; i++) await u.edits(page.id, mid, `hello ${i}`);
  await assert.rejects(emu.act(user.id, page.id, { type: 'edit', mid, text: 'again' }), /at most 5/);
});
