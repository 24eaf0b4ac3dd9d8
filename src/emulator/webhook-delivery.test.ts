import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorWithPage } from './testing.ts';

const MINUTE = 60_000;

test('batching puts several entries in one POST, each entry holding one messaging item', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { batchSize: 3, batchWindowMs: 20 } });
  const u = emu.user(user.id);
  await Promise.all([u.says(page.id, 'one'), u.says(page.id, 'two'), u.says(page.id, 'three')]);
  const [envelope, ...more] = rec.envelopes();
  assert.equal(more.length, 0);
  assert.equal(envelope!.entry.length, 3);
  for (const entry of envelope!.entry) assert.equal((entry.messaging as unknown[]).length, 1);
});

test('duplicate delivery resends the same bytes with the same signature', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { duplicateRate: 1 } });
  const r = await emu.user(user.id).says(page.id, 'hello');
  assert.deepEqual(
    r.deliveries.map((d) => d.kind),
    ['first', 'duplicate'],
  );
  const [a, b] = rec.requests;
  assert.equal(a!.body, b!.body);
  assert.deepEqual(a!.headers, b!.headers);
});

test('out-of-order delivery can hand the later event over first', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { reorderRate: 1, reorderHoldMs: 1000 } });
  const u = emu.user(user.id);
  await Promise.all([u.says(page.id, 'first'), u.says(page.id, 'second')]);
  const texts = rec.envelopes().map((e) => (e.entry[0]!.messaging as { message: { text: string } }[])[0]!.message.text);
  assert.deepEqual(texts, ['second', 'first']);
});

test('a non-200 answer is retried at once, then later on the emulator clock', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { immediateRetries: 2, retryDelaysMs: [MINUTE] } });
  rec.answer = () => ({ status: 500, body: '' });
  const r = await emu.user(user.id).says(page.id, 'hello');
  assert.deepEqual(
    r.deliveries.map((d) => [d.kind, d.status]),
    [
      ['first', 500],
      ['retry', 500],
      ['retry', 500],
    ],
  );
  rec.answer = () => ({ status: 200, body: '' });
  const later = await emu.advance(MINUTE);
  assert.deepEqual(
    later.map((d) => [d.kind, d.status, d.attempt]),
    [['retry', 200, 4]],
  );
  assert.equal(later[0]!.body, r.deliveries[0]!.body);
  assert.deepEqual(emu.alerts(), []);
});

test('an answer slower than the timeout counts as a failure', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { timeoutMs: 30, immediateRetries: 0 } });
  rec.answer = () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: '' }), 300));
  const r = await emu.user(user.id).says(page.id, 'hello');
  assert.equal(r.deliveries[0]!.ok, false);
  assert.match(r.deliveries[0]!.error ?? '', /30 ms/);
});

test('failing for 15 minutes raises an alert and for 1 hour unsubscribes the app from the Page', async () => {
  const { emu, rec, page, user } = emulatorWithPage();
  rec.answer = () => ({ status: 503, body: '' });
  await emu.user(user.id).says(page.id, 'hello');
  await emu.advance(14 * MINUTE);
  assert.deepEqual(emu.alerts(), []);
  await emu.advance(MINUTE);
  assert.deepEqual(
    emu.alerts().map((a) => a.kind),
    ['failing_15_minutes'],
  );
  await emu.advance(45 * MINUTE);
  assert.deepEqual(
    emu.alerts().map((a) => a.kind),
    ['failing_15_minutes', 'webhooks_disabled'],
  );
  const subs = await emu.graph({
    method: 'GET',
    path: '/v25.0/me/subscribed_apps',
    query: { access_token: page.access_token },
  });
  assert.deepEqual(subs.body, { data: [] });
  const after = await emu.user(user.id).says(page.id, 'anyone there?');
  assert.deepEqual(after.deliveries, []);
});

test('the generic Graph policy drops events after 36 hours and keeps the subscription', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { failurePolicy: 'graph' } });
  rec.answer = () => ({ status: 500, body: '' });
  await emu.user(user.id).says(page.id, 'hello');
  await emu.advance(36 * 60 * MINUTE);
  assert.deepEqual(
    emu.alerts().map((a) => a.kind),
    ['failing_15_minutes', 'dropped_after_36_hours'],
  );
  assert.equal(emu.world.pages.get(page.id)!.subscribed, true);
});

test('success after failures clears the failing state, so no alert follows', async () => {
  const { emu, rec, page, user } = emulatorWithPage({ delivery: { retryDelaysMs: [5 * MINUTE] } });
  rec.answer = () => ({ status: 500, body: '' });
  await emu.user(user.id).says(page.id, 'hello');
  rec.answer = () => ({ status: 200, body: '' });
  await emu.advance(60 * MINUTE);
  assert.deepEqual(emu.alerts(), []);
});
