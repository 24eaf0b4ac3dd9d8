import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTraffic } from './traffic.ts';
import { createEmulator } from './emulator.ts';
import { recordingTransport } from './testing.ts';

const rates = {
  message: 20,
  postback: 5,
  read: 10,
  reaction: 5,
  optin: 2,
  optout: 1,
  block: 1,
  unblock: 2,
  referral: 2,
  quick_reply: 3,
};

async function run(seed: string) {
  const rec = recordingTransport();
  const emu = createEmulator({
    seed: 'world',
    clockMode: 'frozen',
    clockStart: Date.UTC(2026, 10, 28),
    transport: rec.transport,
    webhookUrl: 'http://x/webhook',
  });
  const pageIds = [emu.createPage({ name: 'A' }).id, emu.createPage({ name: 'B' }).id];
  const traffic = createTraffic(emu, { seed, people: 30, pageIds, rates, advanceClock: true });
  for (let i = 0; i < 20; i++) await traffic.step(500);
  await emu.flush();
  return { bodies: rec.requests.map((r) => r.body), stats: traffic.stats };
}

test('the same seed gives the same traffic, byte for byte', async () => {
  const a = await run('seed-1');
  const b = await run('seed-1');
  assert.ok(a.bodies.length > 100);
  assert.deepEqual(a.bodies, b.bodies);
  assert.deepEqual(a.stats, b.stats);
});

test('another seed gives other traffic', async () => {
  const a = await run('seed-1');
  const b = await run('seed-2');
  assert.notDeepEqual(a.bodies, b.bodies);
});

test('rates shape the mix: every configured kind happens, at roughly its share', async () => {
  const { stats } = await run('seed-3');
  assert.ok(stats.byKind.message! > stats.byKind.postback!);
  for (const kind of ['message', 'postback', 'read', 'quick_reply']) assert.ok(stats.byKind[kind]! > 0, kind);
  assert.equal(stats.errors, 0);
});

test('real-time mode runs until stopped', async () => {
  const emu = createEmulator({ clockMode: 'running' });
  const traffic = createTraffic(emu, {
    seed: 1,
    people: 5,
    pageIds: [emu.createPage({ name: 'A' }).id],
    rates: { message: 200 },
    tickMs: 10,
  });
  traffic.start();
  await new Promise((r) => setTimeout(r, 120));
  await traffic.stop();
  const count = traffic.stats.actions;
  assert.ok(count > 0);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(traffic.stats.actions, count);
  emu.close();
});

test('newcomers tap the ice breakers a Page shows them; without ice breakers nobody does', async () => {
  const rec = recordingTransport();
  const emu = createEmulator({ seed: 'ice', clockMode: 'frozen', transport: rec.transport, webhookUrl: 'http://x/w' });
  const shown = emu.createPage({ name: 'With ice breakers' });
  const bare = emu.createPage({ name: 'Without' });
  await emu.graph({
    method: 'POST',
    path: '/v25.0/me/messenger_profile',
    query: { access_token: shown.access_token },
    body: { ice_breakers: [{ locale: 'default', call_to_actions: [{ question: 'Open today?', payload: 'HOURS' }] }] },
  });
  const traffic = createTraffic(emu, { seed: 's', people: 20, pageIds: [shown.id], rates: { ice_breaker: 40 } });
  for (let i = 0; i < 5; i++) await traffic.step(500);
  await emu.flush();
  const taps = rec.envelopes().flatMap((e) => e.entry.flatMap((x) => (x.messaging as Record<string, any>[]) ?? [])); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.ok(taps.length > 0);
  assert.ok(taps.every((m) => m.postback?.payload === 'HOURS' && m.postback?.title === 'Open today?'));
  assert.ok(taps.length <= 20, 'each newcomer taps once: after that the conversation is not new');
  const none = createTraffic(emu, { seed: 's', people: 5, pageIds: [bare.id], rates: { ice_breaker: 40 } });
  await none.step(500);
  assert.equal(none.stats.actions, 0);
});
