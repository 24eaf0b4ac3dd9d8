import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../test/support/app.ts';
import { MemoryRateLimiter } from './rate-limiter.ts';
import { SendPacer, type SendKind } from './send-pacer.ts';

// 10 texts per second: one per tenth of a second once paced.
const rates = { text: 10, media: 2, windowMs: 1000 };
const never = () => false;
const far = () => Date.now() + 60_000;
const past = () => Date.now() - 1;

function pacer() {
  const waits: SendKind[] = [];
  const clock = new ManualClock();
  const p = new SendPacer({ limiter: new MemoryRateLimiter(), clock, rates, onWait: (kind) => waits.push(kind) });
  return { p, clock, waits };
}

describe("pacing sends to a Page's rate limit", () => {
  it('admits a send at once while the Page has room', async () => {
    const { p, waits } = pacer();
    assert.equal(await p.admit('page-1', 'text', past(), never), null);
    assert.deepEqual(waits, []);
  });

  it('gives a send back to the queue, at the time it may go, when waiting would pass its deadline', async () => {
    const { p, clock, waits } = pacer();
    await p.admit('page-1', 'text', far(), never);
    const held = await p.admit('page-1', 'text', past(), never);
    assert.equal(held?.type, 'requeue');
    assert.ok(held.type === 'requeue' && held.at > clock.now() && held.at <= clock.now() + rates.windowMs / 10);
    assert.deepEqual(waits, ['text']);
  });

  it('gives a send back at once when the dispatcher stops, instead of waiting', async () => {
    const { p } = pacer();
    await p.admit('page-1', 'text', far(), never);
    assert.equal((await p.admit('page-1', 'text', far(), () => true))?.type, 'requeue');
  });

  it('waits for the next grant when the deadline allows, and counts the wait once', async () => {
    const { p, waits } = pacer();
    await p.admit('page-1', 'text', far(), never);
    assert.equal(await p.admit('page-1', 'text', far(), never), null);
    assert.deepEqual(waits, ['text']);
  });

  it('keeps separate limits per Page and per kind', async () => {
    const { p } = pacer();
    await p.admit('page-1', 'text', far(), never);
    assert.equal(await p.admit('page-2', 'text', past(), never), null, 'another Page');
    assert.equal(await p.admit('page-1', 'media', past(), never), null, 'media on the same Page');
    assert.equal((await p.admit('page-1', 'text', past(), never))?.type, 'requeue', 'text on the same Page');
  });
});
