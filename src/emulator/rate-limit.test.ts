import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

test('a window allows `limit` calls, then refuses until the window has passed', () => {
  const rl = new RateLimiter();
  for (let i = 0; i < 3; i++) assert.equal(rl.take('k', 3, 1000, 0), true);
  assert.equal(rl.take('k', 3, 1000, 999), false);
  assert.equal(rl.take('k', 3, 1000, 1000), true);
});

test('keys are counted apart', () => {
  const rl = new RateLimiter();
  assert.equal(rl.take('a', 1, 1000, 0), true);
  assert.equal(rl.take('b', 1, 1000, 0), true);
  assert.equal(rl.take('a', 1, 1000, 0), false);
});
