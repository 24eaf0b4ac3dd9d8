import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../lib/logger.ts';
import { startLoop } from './worker.ts';

const logger = createLogger('silent');
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('a background loop', () => {
  it('runs its first iteration at once, or after one pause with idleFirst (or when woken)', async () => {
    let plain = 0;
    let delayed = 0;
    const a = startLoop({ name: 'plain', logger, idleMs: 60_000 }, async () => (plain++, 0));
    const b = startLoop({ name: 'delayed', logger, idleMs: 60_000, idleFirst: true }, async () => (delayed++, 0));
    await tick();
    assert.deepEqual([plain, delayed], [1, 0]);
    b.wake();
    await tick();
    assert.deepEqual([plain, delayed], [1, 1]);
    await Promise.all([a.stop(), b.stop()]);
  });
});
