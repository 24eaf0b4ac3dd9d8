import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('WriteLockWaiters across processes', () => {
  const notesDir = () => join(mkdtempSync(join(tmpdir(), 'pagescope-notes-')), 'pagescope.db-waiting');
  // Each look from a new object: one object looks again only LOOK_MS after its last look.
  const look = (notes: string) => new WriteLockWaiters(undefined, notes).waitingElsewhere();

  it('sees a writer of another process by its note, from when it waits until it is in', () => {
    const notes = notesDir();
    const cli = new WriteLockWaiters(undefined, notes);
    assert.equal(look(notes), false);
    const done = cli.waitFor();
    assert.equal(cli.waiting, 1, 'counted in its own process too');
    assert.equal(look(notes), true);
    done();
    assert.equal(look(notes), false);
    assert.deepEqual(readdirSync(notes), []);
  });

  it('removes and ignores the note of a process that is gone, and one older than any wait', () => {
    const notes = notesDir();
    new WriteLockWaiters(undefined, notes).waitFor();
    const [mine] = readdirSync(notes);
    // No process has this id (Linux ids stop at 4,194,304).
    writeFileSync(join(notes, '999999999-0-1'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(notes, mine!), old, old);
    assert.equal(look(notes), false);
    assert.deepEqual(readdirSync(notes), []);
  });
});
