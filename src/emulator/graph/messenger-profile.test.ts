import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorWithPage } from '../testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function setup() {
  const ctx = emulatorWithPage();
  const post = async (body: Record<string, unknown>) => {
    const r = await ctx.emu.graph({
      method: 'POST',
      path: '/v25.0/me/messenger_profile',
      query: { access_token: ctx.page.access_token },
      body,
    });
    return { status: r.status, body: r.body as Body };
  };
  return { ...ctx, post };
}

const questions = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ question: `Question ${i + 1}?`, payload: `Q${i + 1}` }));

test('ice breakers: at most 4 questions per locale, each locale once', async () => {
  const { post } = setup();
  const ok = await post({
    ice_breakers: [
      { locale: 'default', call_to_actions: questions(4) },
      { locale: 'pt_BR', call_to_actions: questions(4) },
    ],
  });
  assert.deepEqual(ok.body, { result: 'success' });
  const five = await post({ ice_breakers: [{ locale: 'default', call_to_actions: questions(5) }] });
  assert.equal(five.body.error.code, 100);
  assert.match(five.body.error.message, /at most 4/);
  const twice = await post({
    ice_breakers: [
      { locale: 'default', call_to_actions: questions(1) },
      { locale: 'default', call_to_actions: questions(1) },
    ],
  });
  assert.equal(twice.body.error.code, 100);
});

test('the persistent menu is flat, holds at most 20 items and needs Get Started', async () => {
  const { post } = setup();
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ type: 'postback', title: `Item ${i}`, payload: `P${i}` }));
  assert.equal((await post({ get_started: { payload: 'START' } })).status, 200);
  assert.equal(
    (await post({ persistent_menu: [{ locale: 'default', call_to_actions: items(20) }] })).body.result,
    'success',
  );
  assert.equal((await post({ persistent_menu: [{ locale: 'default', call_to_actions: items(21) }] })).status, 400);
  const nested = [{ type: 'nested', title: 'More', call_to_actions: items(2) }];
  assert.match(
    (await post({ persistent_menu: [{ locale: 'default', call_to_actions: nested }] })).body.error.message,
    /Nested/,
  );
});

test('a greeting is at most 160 characters', async () => {
  const { post } = setup();
  assert.equal((await post({ greeting: [{ locale: 'default', text: 'x'.repeat(160) }] })).status, 200);
  assert.equal((await post({ greeting: [{ locale: 'default', text: 'x'.repeat(161) }] })).body.error.code, 100);
});

test('a newcomer taps an ice breaker of their locale (else the default ones): a postback with the question and payload', async () => {
  const { emu, post, page, user } = setup();
  await post({
    ice_breakers: [
      { locale: 'default', call_to_actions: [{ question: 'Where is my order?', payload: 'WHERE' }] },
      { locale: 'pt_BR', call_to_actions: [{ question: 'Onde está meu pedido?', payload: 'ONDE' }] },
    ],
  });
  const tapped = await emu.user(user.id).tapsIceBreaker(page.id, 'Onde está meu pedido?');
  const item = tapped.events[0] as Body;
  assert.equal(item.postback.title, 'Onde está meu pedido?');
  assert.equal(item.postback.payload, 'ONDE');
  assert.ok(tapped.psid);
  await assert.rejects(
    emu.user(user.id).tapsIceBreaker(page.id, 'Onde está meu pedido?'),
    /only on a new conversation/,
  );
  const other = emu.createUser({ first_name: 'Sam', last_name: 'Lee', locale: 'en_GB' });
  await assert.rejects(emu.user(other.id).tapsIceBreaker(page.id, 'Onde está meu pedido?'), /no such ice breaker/);
  const tappedDefault = await emu.user(other.id).tapsIceBreaker(page.id, 'Where is my order?');
  assert.equal((tappedDefault.events[0] as Body).postback.payload, 'WHERE');
});
