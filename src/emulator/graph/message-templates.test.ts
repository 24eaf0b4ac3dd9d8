import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleControl } from '../control-api.ts';
import { emulatorWithPage } from '../testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ORDER_UPDATE = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  components: [
    { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.', example: { body_text: [['Ana', '1042']] } },
    { type: 'BUTTONS', buttons: [{ type: 'POSTBACK', text: 'Track it', payload: 'TRACK' }] },
  ],
};

function utilitySend(psid: string, name: string, params: string[], language = 'en_US') {
  return {
    recipient: { id: psid },
    messaging_type: 'UTILITY',
    message: {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'utility_messages',
          name,
          language: { code: language },
          components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }],
        },
      },
    },
  };
}

async function setup() {
  const ctx = emulatorWithPage();
  const graph = async (method: string, body: Record<string, unknown> = {}, query: Record<string, string> = {}) => {
    const r = await ctx.emu.graph({
      method,
      path: `/v25.0/${ctx.page.id}/message_templates`,
      query: { access_token: ctx.page.access_token, ...query },
      body,
    });
    return { status: r.status, body: r.body as Body };
  };
  await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hello');
  const psid = ctx.emu.psid(ctx.user.id, ctx.page.id)!;
  return { ...ctx, graph, psid };
}

test('a utility template is PENDING when created and APPROVED once its review time has passed', async () => {
  const { emu, graph } = await setup();
  const created = await graph('POST', ORDER_UPDATE);
  assert.equal(created.status, 200);
  assert.equal(created.body.status, 'PENDING');
  assert.equal(created.body.category, 'UTILITY');
  assert.equal((await graph('GET', {}, { name: 'order_update' })).body.data[0].status, 'PENDING');
  await emu.advance(emu.options.policy.templateReviewMs);
  const listed = (await graph('GET', {}, { name: 'order_update' })).body.data;
  assert.deepEqual(
    listed.map((t: Body) => [t.id, t.status, t.language]),
    [[created.body.id, 'APPROVED', 'en_US']],
  );
});

test('the control API makes the review reject a template with the reason Meta gives', async () => {
  const { emu, graph, page } = await setup();
  const told = await handleControl(emu, {
    method: 'POST',
    path: `/_emulator/pages/${page.id}/template-rejections`,
    query: new URLSearchParams(),
    body: { name: 'order_update', reason: 'PROMOTIONAL' },
  });
  assert.equal(told.status, 200);
  await graph('POST', ORDER_UPDATE);
  await emu.advance(emu.options.policy.templateReviewMs);
  const [t] = (await graph('GET', {}, { name: 'order_update' })).body.data;
  assert.equal(t.status, 'REJECTED');
  assert.equal(t.rejected_reason, 'PROMOTIONAL');
});

test('creation refuses a quick reply button with 2018416, a second copy in one language, and other categories', async () => {
  const { graph } = await setup();
  const quick = structuredClone(ORDER_UPDATE);
  quick.components[1] = { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes', payload: 'Y' }] };
  const refused = await graph('POST', quick);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.error_subcode, 2018416);
  assert.equal((await graph('POST', ORDER_UPDATE)).status, 200);
  const again = await graph('POST', ORDER_UPDATE);
  assert.equal(again.body.error.error_subcode, 2388024);
  assert.equal((await graph('POST', { ...ORDER_UPDATE, language: 'pt_BR' })).status, 200);
  assert.equal((await graph('POST', { ...ORDER_UPDATE, name: 'promo', category: 'MARKETING' })).body.error.code, 100);
  const noSamples = structuredClone(ORDER_UPDATE) as Body;
  noSamples.name = 'no_samples';
  delete noSamples.components[0].example;
  assert.match((await graph('POST', noSamples)).body.error.message, /SAMPLE_VALUES/);
});

test('delete by name removes every language; by hsm_id only that one', async () => {
  const { graph } = await setup();
  const en = (await graph('POST', ORDER_UPDATE)).body.id;
  await graph('POST', { ...ORDER_UPDATE, language: 'pt_BR' });
  await graph('POST', { ...ORDER_UPDATE, name: 'receipt' });
  assert.deepEqual((await graph('DELETE', {}, { hsm_id: en })).body, { success: true });
  assert.deepEqual((await graph('GET')).body.data.map((t: Body) => `${t.name}/${t.language}`).sort(), [
    'order_update/pt_BR',
    'receipt/en_US',
  ]);
  await graph('DELETE', {}, { name: 'order_update' });
  assert.deepEqual(
    (await graph('GET')).body.data.map((t: Body) => t.name),
    ['receipt'],
  );
  assert.equal((await graph('DELETE', {}, { name: 'order_update' })).status, 400);
});

test('a UTILITY send of an approved template reaches a person whose window closed long ago', async () => {
  const { emu, graph, send, psid, user, page } = await setup();
  await graph('POST', ORDER_UPDATE);
  await emu.advance(30 * 24 * 3600_000);
  const sent = await send(utilitySend(psid, 'order_update', ['Ana', '1042']));
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.ok(emu.inbox(user.id, page.id).some((m) => m.text === 'Hi Ana, order 1042 has shipped.'));
  const plain = await send({ recipient: { id: psid }, messaging_type: 'UPDATE', message: { text: 'Sale!' } });
  assert.equal((plain.body as Body).error.error_subcode, 2018278);
});

test('a UTILITY send is refused for an unknown, pending or unapproved template, a wrong count and quick replies', async () => {
  const { emu, graph, send, psid, page } = await setup();
  await graph('POST', ORDER_UPDATE);
  const pending = await send(utilitySend(psid, 'order_update', ['Ana', '1042']));
  assert.match((pending.body as Body).error.message, /not approved/);
  await emu.advance(emu.options.policy.templateReviewMs);
  assert.match(
    ((await send(utilitySend(psid, 'order_update', ['Ana', '1042'], 'de_DE'))).body as Body).error.message,
    /does not exist/,
  );
  assert.match(((await send(utilitySend(psid, 'nothing', []))).body as Body).error.message, /does not exist/);
  assert.match(
    ((await send(utilitySend(psid, 'order_update', ['Ana']))).body as Body).error.message,
    /Number of parameters/,
  );
  const withQuickReply = utilitySend(psid, 'order_update', ['Ana', '1042']) as Body;
  withQuickReply.message.quick_replies = [{ content_type: 'text', title: 'Yes', payload: 'Y' }];
  assert.equal(((await send(withQuickReply)).body as Body).error.error_subcode, 2018416);
  const asResponse = { ...utilitySend(psid, 'order_update', ['Ana', '1042']), messaging_type: 'RESPONSE' };
  assert.equal(((await send(asResponse)).body as Body).error.code, 100);
  const other = emu.createPage({ name: 'Other' });
  const foreign = await emu.graph({
    method: 'GET',
    path: `/v25.0/${page.id}/message_templates`,
    query: { access_token: other.access_token },
  });
  assert.equal((foreign.body as Body).error.error_subcode, 33);
});

test('a restarted emulator still has the Page’s templates and Messenger profile (world snapshot)', async () => {
  const { emu, graph, page } = await setup();
  await graph('POST', ORDER_UPDATE);
  await emu.graph({
    method: 'POST',
    path: '/v25.0/me/messenger_profile',
    query: { access_token: page.access_token },
    body: { get_started: { payload: 'GO' } },
  });
  const saved = JSON.parse(JSON.stringify(emu.saveWorld()));
  const again = emulatorWithPage();
  again.emu.loadWorld(saved);
  const restored = again.emu.world.pages.get(again.page.id)!;
  assert.equal(again.page.id, page.id);
  assert.deepEqual(
    [...restored.templates.values()].map((t) => [t.name, t.language, t.status]),
    [['order_update', 'en_US', 'PENDING']],
  );
  assert.deepEqual(restored.messengerProfile, { get_started: { payload: 'GO' } });
});
