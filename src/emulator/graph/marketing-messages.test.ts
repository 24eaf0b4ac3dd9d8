import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleControl } from '../control-api.ts';
import { emulatorWithPage } from '../testing.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOUR = 3600_000;

async function setup() {
  const ctx = emulatorWithPage();
  const graph = async (method: string, path: string, body: Record<string, unknown> = {}, query = {}) => {
    const r = await ctx.emu.graph({
      method,
      path: `/v25.0/${path}`,
      query: { access_token: ctx.page.access_token, ...query },
      body,
    });
    return { status: r.status, body: r.body as Body };
  };
  await ctx.emu.user(ctx.user.id).says(ctx.page.id, 'hello');
  const token = (await ctx.emu.user(ctx.user.id).marketing(ctx.page.id, 'opt_in')).notification_messages_token!;
  const grant = async (enabled: boolean, ad_account_id?: string) =>
    handleControl(ctx.emu, {
      method: 'POST',
      path: `/_emulator/pages/${ctx.page.id}/marketing-messages`,
      query: new URLSearchParams(),
      body: { enabled, ...(ad_account_id && { ad_account_id }) },
    });
  const send = (account: string, messageId: string, subscriptionToken = token) =>
    graph('POST', `act_${account}/messages`, {
      message_id: messageId,
      messenger_delivery_data: { subscription_token: subscriptionToken },
      message: { text: 'Winter sale' },
    });
  return { ...ctx, graph, token, grant, send };
}

test("the Page token's debug_token scopes carry paid_marketing_messages only once the control API grants it", async () => {
  const s = await setup();
  const scopes = async () =>
    (await s.graph('GET', 'debug_token', {}, { input_token: s.page.access_token })).body.data.scopes as string[];
  assert.ok(!(await scopes()).includes('paid_marketing_messages'));
  const granted = await s.grant(true, '4242');
  assert.deepEqual(granted.body, { page_id: s.page.id, enabled: true, ad_account_id: '4242' });
  assert.ok((await scopes()).includes('paid_marketing_messages'));
  const bad = await s.graph('GET', 'debug_token', {}, { input_token: 'not-a-token' });
  assert.equal(bad.body.data.is_valid, false);
});

test('without the permission, act_<id> answers code 10; another ad account does not exist for the token', async () => {
  const s = await setup();
  const refused = await s.graph('POST', 'act_4242/message_campaign', {
    name: 'Sale',
    page_id: s.page.id,
    daily_budget: 5000,
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, 10);
  await s.grant(true, '4242');
  const other = await s.graph('POST', 'act_999/message_campaign', {
    name: 'Sale',
    page_id: s.page.id,
    daily_budget: 1,
  });
  assert.deepEqual([other.body.error.code, other.body.error.error_subcode], [100, 33]);
});

test('a message campaign, then one message per subscription token per 12 hours, with its webhooks', async () => {
  const s = await setup();
  await s.grant(true, '4242');
  const noBudget = await s.graph('POST', 'act_4242/message_campaign', { name: 'Sale', page_id: s.page.id });
  assert.equal(noBudget.body.error.code, 100);
  const created = await s.graph('POST', 'act_4242/message_campaign', {
    name: 'Sale',
    page_id: s.page.id,
    daily_budget: 5000,
  });
  assert.equal(created.status, 200);
  assert.match(created.body.id, /^\d+$/);

  assert.equal((await s.send('4242', 'nope')).body.error.code, 100);
  assert.equal((await s.send('4242', created.body.id, 'bad-token')).body.error.code, 100);
  const sent = await s.send('4242', created.body.id);
  assert.equal(sent.status, 200);
  assert.equal(sent.body.success, true);
  assert.match(
    sent.body.marketing_message_tracking_id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  const again = await s.send('4242', created.body.id);
  assert.deepEqual([again.body.error.code, again.body.error.error_subcode], [4, 2018354]);
  await s.emu.advance(12 * HOUR);
  assert.equal((await s.send('4242', created.body.id)).status, 200);

  await s.emu.flush();
  const values = s.rec
    .envelopes()
    .flatMap((e) => e.entry)
    .flatMap((entry) => (entry.changes as { field: string; value: Body }[] | undefined) ?? [])
    .slice(0, 2);
  assert.deepEqual(
    values.map((c) => [c.field, c.value.marketing_message_tracking_id, c.value.message_id]),
    [
      ['marketing_message_echoes', sent.body.marketing_message_tracking_id, created.body.id],
      ['marketing_message_deliveries', sent.body.marketing_message_tracking_id, created.body.id],
    ],
  );
  assert.match(values[1]!.value.mid, /^m_/);
});

test('a person whose locale is in a region Meta does not serve gets a delivery failure, not the message', async () => {
  const s = await setup();
  const fr = s.emu.createUser({ first_name: 'Jean', last_name: 'Dupont', locale: 'fr_FR', timezone: 1 });
  await s.emu.user(fr.id).says(s.page.id, 'bonjour');
  const token = (await s.emu.user(fr.id).marketing(s.page.id, 'opt_in')).notification_messages_token!;
  await s.grant(true, '4242');
  const c = await s.graph('POST', 'act_4242/message_campaign', { name: 'Sale', page_id: s.page.id, daily_budget: 500 });
  assert.equal((await s.send('4242', c.body.id, token)).status, 200);
  await s.emu.flush();
  const failed = s.rec
    .envelopes()
    .flatMap((e) => e.entry)
    .flatMap((entry) => (entry.changes as { field: string }[] | undefined) ?? [])
    .map((c) => c.field);
  assert.deepEqual(failed, ['marketing_message_delivery_failed']);
  assert.ok(!s.emu.inbox(fr.id, s.page.id).some((m) => m.text === 'Winter sale'));
});

test('a restarted emulator keeps the marketing permission, ad account, message campaigns and 12-hour send history', async () => {
  const s = await setup();
  await s.grant(true, '4242');
  const c = await s.graph('POST', 'act_4242/message_campaign', { name: 'Sale', page_id: s.page.id, daily_budget: 700 });
  assert.equal((await s.send('4242', c.body.id)).status, 200);

  const again = emulatorWithPage();
  again.emu.loadWorld(JSON.parse(JSON.stringify(s.emu.saveWorld())));
  const restored = again.emu.world.pages.get(again.page.id)!;
  assert.equal(restored.marketingMessages?.adAccountId, '4242');
  assert.deepEqual(
    [...restored.marketingMessages!.campaigns.values()].map((x) => [x.id, x.name, x.dailyBudget, x.lifetimeBudget]),
    [[c.body.id, 'Sale', 700, null]],
  );
  const graph = (path: string, body: Record<string, unknown>) =>
    again.emu.graph({ method: 'POST', path: `/v25.0/${path}`, query: { access_token: again.page.access_token }, body });
  const resend = await graph('act_4242/messages', {
    message_id: c.body.id,
    messenger_delivery_data: { subscription_token: s.token },
    message: { text: 'Winter sale' },
  });
  const error = (resend.body as Body).error;
  assert.deepEqual([error.code, error.error_subcode], [4, 2018354], 'the token sent within 12 hours stays capped');
  await again.emu.advance(12 * HOUR);
  const later = await graph('act_4242/messages', {
    message_id: c.body.id,
    messenger_delivery_data: { subscription_token: s.token },
    message: { text: 'Winter sale' },
  });
  assert.equal(later.status, 200, 'the restored message campaign is known to its ad account');
});

test('a snapshot saved before marketing state was kept still loads, with the permission not granted', async () => {
  const s = await setup();
  await s.grant(true, '4242');
  const saved = JSON.parse(JSON.stringify(s.emu.saveWorld()));
  for (const ps of saved.page_settings) delete ps.marketing_messages;
  const again = emulatorWithPage();
  again.emu.loadWorld(saved);
  assert.equal(again.emu.world.pages.get(again.page.id)!.marketingMessages, null);
  assert.equal(again.emu.world.marketingTokens.get(s.token)?.status, 'active');
});
