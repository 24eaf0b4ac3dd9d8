import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteLockWaiters } from './write-lock-waiters.ts';

describe('WriteLockWaiters', () => {
  it('counts a writer while it takes the lock, in memory another thread can share', () => {
    const here = new WriteLockWaiters();
    const there = new WriteLockWaiters(here.buffer);
    const seen = here.whileWaiting(() => there.waiting);
    assert.equal(seen, 1, 'the other side sees the writer waiting');
    assert.equal(there.waiting, 0, 'and no more once it has the lock');
  });

  it('stops counting a writer whose attempt failed', () => {
    const waiters = new WriteLockWaiters();
    assert.throws(() =>
      waiters.whileWaiting(() => {
        throw new Error('SQLITE_BUSY');
      }),
    );
    assert.equal(waiters.waiting, 0);
  });

  it('lets the long writer go on once nobody waits, or after its longest pause while someone still does', async () => {
    const waiters = new WriteLockWaiters();
    const count = new Int32Array(waiters.buffer, 0, 1);
    // Another thread's writer waits, and gets the lock a few milliseconds later.
    Atomics.add(count, 0, 1);
    setTimeout(() => Atomics.sub(count, 0, 1), 5);
    await waiters.yieldTo(60_000);
    assert.equal(waiters.waiting, 0, 'yieldTo returned once the writer was in');

    // Someone who waits and never gets in does not hold the long writer for ever.
    Atomics.add(count, 0, 1);
    await waiters.yieldTo(5);
    assert.equal(waiters.waiting, 1, 'yieldTo gave up while the other still waited');
    Atomics.sub(count, 0, 1);
  });

  it('forgets the turn of a thread that ended while it held the lock, and only that one', async () => {
    const waiters = new WriteLockWaiters();
    const holder = new Int32Array(waiters.buffer, 4, 1);
    // A processing thread (id 7) was inside a turn when it died.
    Atomics.store(holder, 0, 8);
    waiters.forget(3);
    assert.equal(Atomics.load(holder, 0), 8, "another thread's end changes nothing");
    waiters.forget(7);
    assert.equal(Atomics.load(holder, 0), 0, 'writers no longer wait for its commit');
  });
});
