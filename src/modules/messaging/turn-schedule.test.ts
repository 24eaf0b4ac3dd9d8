import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { msUntilTurn, type TurnState } from './turn-schedule.ts';

const NOW = 1_000_000;
const pacing = { lowWater: 4, commitDelayMs: 20 };
const idle: TurnState = { stopping: false, finished: 0, waitingSince: 0, queued: 0, room: 48, idleUntil: 0 };

describe('the pacing of dispatcher turns', () => {
  it('commits waiting outcomes at once when the claimed queue runs low', () => {
    assert.equal(msUntilTurn({ ...idle, finished: 3, waitingSince: NOW, queued: 4 }, pacing, NOW), 0);
  });

  it('lets outcomes wait for more to join while the queue is full, but never longer than the commit delay', () => {
    const busy = { ...idle, finished: 3, waitingSince: NOW - 5, queued: 40 };
    assert.equal(msUntilTurn(busy, pacing, NOW), 15);
    assert.equal(msUntilTurn(busy, pacing, NOW + 30), 0);
  });

  it('commits waiting outcomes at once on stop, whatever the queue', () => {
    assert.equal(msUntilTurn({ ...idle, stopping: true, finished: 1, waitingSince: NOW, queued: 40 }, pacing, NOW), 0);
  });

  it('claims when there is room and the queue runs low, after the idle pause of a short claim', () => {
    assert.equal(msUntilTurn(idle, pacing, NOW), 0);
    assert.equal(msUntilTurn({ ...idle, idleUntil: NOW + 200 }, pacing, NOW), 200);
  });

  it('waits for a nudge when nothing is waiting and there is no room or the queue is still long', () => {
    assert.equal(msUntilTurn({ ...idle, room: 0 }, pacing, NOW), Infinity);
    assert.equal(msUntilTurn({ ...idle, queued: 10 }, pacing, NOW), Infinity);
  });

  it('is never negative, and an outcome never waits past its commit delay', () => {
    const state = fc.record({
      stopping: fc.boolean(),
      finished: fc.nat(64),
      waitingSince: fc.integer({ min: NOW - 1000, max: NOW }),
      queued: fc.nat(64),
      room: fc.nat(64),
      idleUntil: fc.integer({ min: 0, max: NOW + 1000 }),
    });
    fc.assert(
      fc.property(state, (s) => {
        const wait = msUntilTurn(s, pacing, NOW);
        assert.ok(wait >= 0);
        if (s.finished > 0) assert.ok(wait <= Math.max(0, s.waitingSince + pacing.commitDelayMs - NOW));
      }),
    );
  });
});
