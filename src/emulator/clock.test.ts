import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from './clock.ts';

test('a frozen clock stands still until advanced', async () => {
  const clock = new Clock(1_000, 'frozen');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(clock.now(), 1_000);
  assert.equal(clock.advance(500), 1_500);
  assert.equal(clock.now(), 1_500);
});

test('a running clock follows real time on top of its start and advances', async () => {
  const clock = new Clock(0, 'running');
  clock.advance(10_000);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(clock.now() >= 10_015);
});

test('the clock refuses to go backwards', () => {
  const clock = new Clock(0, 'frozen');
  assert.throws(() => clock.advance(-1), RangeError);
  assert.throws(() => clock.advance(Number.NaN), RangeError);
});
