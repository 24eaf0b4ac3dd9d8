import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from './group-commit.ts';

describe('group commit', () => {
  it('writes items submitted together in one batch and settles each after that write', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, string>(async (items) => {
      batches.push(items);
      return items.map((i) => `ok${i}`);
    });
    const results = await Promise.all([1, 2, 3].map((i) => gc.submit(i)));
    assert.deepEqual(results, ['ok1', 'ok2', 'ok3']);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('queues what arrives during a write for the next single write', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items;
    });
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [gc.submit(2), gc.submit(3), gc.submit(4)];
    release();
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('rejects every item of a failed write, and keeps working for the next ones', async () => {
    let fail = true;
    const gc = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = await Promise.allSettled([gc.submit(1), gc.submit(2)]);
    assert.deepEqual(
      failed.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await gc.submit(3), 3);
  });

  it('never writes more than the batch limit at once', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    assert.deepEqual(sizes, [4, 4, 2]);
  });
});
