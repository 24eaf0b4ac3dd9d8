// The paid Marketing Message API's webhooks reach the app only for the fields its Page subscription names, as at
// Meta: the fields `pagescope pages subscribe` asks for by default include them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleControl } from '../../src/emulator/control-api.ts';
import { emulatorWithPage } from '../../src/emulator/testing.ts';
import { DEFAULT_WEBHOOK_FIELDS } from '../../src/platform/index.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MARKETING_FIELDS = [
  'marketing_message_deliveries',
  'marketing_message_delivery_failed',
  'marketing_message_echoes',
];

/** A Page no app is subscribed to, a person with a marketing token, and a message campaign ready to send. */
async function setup() {
  const s = emulatorWithPage({ autoSubscribe: false });
  const graph = async (method: string, path: string, body: Record<string, unknown> = {}) => {
    const r = await s.emu.graph({ method, path: `/v25.0/${path}`, query: { access_token: s.page.access_token }, body });
    return { status: r.status, body: r.body as Body };
  };
  await s.emu.user(s.user.id).says(s.page.id, 'hello');
  const token = (await s.emu.user(s.user.id).marketing(s.page.id, 'opt_in')).notification_messages_token!;
  await handleControl(s.emu, {
    method: 'POST',
    path: `/_emulator/pages/${s.page.id}/marketing-messages`,
    query: new URLSearchParams(),
    body: { enabled: true, ad_account_id: '4242' },
  });
  const campaign = await graph('POST', 'act_4242/message_campaign', {
    name: 'Sale',
    page_id: s.page.id,
    daily_budget: 500,
  });
  const send = () =>
    graph('POST', 'act_4242/messages', {
      message_id: campaign.body.id,
      messenger_delivery_data: { subscription_token: token },
      message: { text: 'Winter sale' },
    });
  const fieldsReceived = async () => {
    await s.emu.flush();
    return s.rec
      .envelopes()
      .flatMap((e) => e.entry)
      .flatMap((entry) => (entry.changes as { field: string }[] | undefined) ?? [])
      .map((c) => c.field);
  };
  return { ...s, graph, send, fieldsReceived };
}

test('the default fields of `pages subscribe` name the three marketing message webhooks', () => {
  for (const field of MARKETING_FIELDS) assert.ok(DEFAULT_WEBHOOK_FIELDS.includes(field), field);
});

test('Meta accepts the default fields in subscribed_apps and then sends the marketing webhooks', async () => {
  const s = await setup();
  const subscribed = await s.graph('POST', `${s.page.id}/subscribed_apps`, {
    subscribed_fields: DEFAULT_WEBHOOK_FIELDS.join(','),
  });
  assert.equal(subscribed.status, 200, JSON.stringify(subscribed.body));
  const listed = await s.graph('GET', `${s.page.id}/subscribed_apps`);
  for (const field of MARKETING_FIELDS) assert.ok(listed.body.data[0].subscribed_fields.includes(field), field);
  assert.equal((await s.send()).status, 200);
  assert.deepEqual(await s.fieldsReceived(), ['marketing_message_echoes', 'marketing_message_deliveries']);
});

test('a Page subscribed without the marketing fields gets none of their webhooks', async () => {
  const s = await setup();
  const fields = DEFAULT_WEBHOOK_FIELDS.filter((f) => !MARKETING_FIELDS.includes(f));
  assert.equal(
    (await s.graph('POST', `${s.page.id}/subscribed_apps`, { subscribed_fields: fields.join(',') })).status,
    200,
  );
  assert.equal((await s.send()).status, 200);
  assert.deepEqual(await s.fieldsReceived(), []);
});
