// On SQLite one connection writes at a time, and a connection that waits for the lock sleeps on its thread. The
// processor applies a backlog in long turns, and ends a turn as soon as a writer of another thread of the process
// (the server's, beside serve's processing thread; the intake thread committing a POST with the spool off) waits:
// that writer gets in after one event, not after the turn.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { basename, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../src/lib/module-worker.ts';
import { processPendingPosts } from '../../src/modules/ingest/process-posts.ts';
import type { TestApp } from '../support/app.ts';
import { LOCK_WRITER_ROLE } from './lock-writer.ts';
import { countRows, envelope, ingestApp, messageItem, PAGE_A, postWebhook } from './support.ts';

const EVENTS = 120;
const KEY = 'test.lock-writer';

/** A delivery of EVENTS messages from twelve people, their PSIDs from `psidBase`. */
const backlog = (psidBase: number, tag: string) =>
  envelope(
    PAGE_A,
    Array.from({ length: EVENTS }, (_, i) =>
      messageItem(PAGE_A, `${psidBase + (i % 12)}`, `m_${tag}_${i}`, `where is order ${i}?`, 1_764_331_200_000 + i),
    ),
  );

/** Blocks this thread for about `ms` (a hook that holds the turn, as a long one would). */
const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe('a processing turn on SQLite', () => {
  let app: TestApp;
  let writer: Worker;
  before(async () => {
    app = await ingestApp('sqlite');
    const file = app.ctx.database.file!;
    writer = startModuleWorker(new URL('./lock-writer.ts', import.meta.url).href, {
      role: LOCK_WRITER_ROLE,
      dataDir: dirname(file),
      fileName: basename(file),
      lockWaiters: app.ctx.database.lockWaiters!.buffer,
    });
    await once(writer, 'message');
  });
  after(async () => {
    writer?.postMessage({ type: 'close' });
    if (writer) await once(writer, 'exit');
    await app?.close();
  });

  for (const [how, alone] of [
    ['in a transaction', false],
    ['with a statement alone', true],
  ] as const)
    it(`ends as soon as a writer of another thread waits for the lock (${how}), and lets it in before the next turn`, async () => {
      const key = `${KEY}.${alone ? 'alone' : 'transaction'}`;
      const before = await countRows(app, 'webhook_events');
      await postWebhook(app, backlog(alone ? 3_310_000_000_000_000 : 3_300_000_000_000_000, `yield_${alone}`));
      const waiters = app.ctx.database.lockWaiters!;
      let seen = 0;
      let writerWaited = false;
      let writtenBeforeLast: boolean | null = null;
      app.ctx.inboundHooks.register(`lock-writer-${how}`, async (e) => {
        seen++;
        if (seen === 1) {
          // The other thread asks for the lock this turn holds, and is counted while it waits.
          writer.postMessage({ type: 'write', key, alone });
          for (let i = 0; i < 10_000 && waiters.waiting === 0; i++) block(1);
          writerWaited = waiters.waiting > 0;
        }
        if (seen === EVENTS)
          writtenBeforeLast =
            (await e.trx.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst()) !== undefined;
      });
      const written = once(writer, 'message');
      // A turn long enough for the whole delivery: only the waiting writer can end it early.
      await processPendingPosts(app.ctx, { turnMs: 600_000 });
      await written;

      assert.equal(writerWaited, true, 'the writer waited for the lock while the turn held it');
      assert.equal(
        writtenBeforeLast,
        true,
        "the writer's row was committed before the delivery's last event was applied",
      );
      assert.equal(waiters.waiting, 0);
      assert.equal(await countRows(app, 'webhook_events'), before + EVENTS, 'every event applied once');
      const post = await app.ctx.db
        .selectFrom('webhook_posts')
        .select(['status', 'event_count'])
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(post, { status: 'processed', event_count: EVENTS });
    });
});

describe('a processing turn on SQLite with the webhook spool off', () => {
  let app: TestApp;
  before(async () => {
    app = await ingestApp('sqlite', { PAGESCOPE_WEBHOOK_SPOOL_MB: '0' });
  });
  after(async () => {
    await app?.close();
  });

  it('ends as soon as the intake thread waits to commit a POST, which is answered before the next turn', async () => {
    assert.equal(app.ctx.intake.kind, 'sqlite-thread', 'POSTs are committed by the intake thread');
    const before = await countRows(app, 'webhook_events');
    await postWebhook(app, backlog(3_320_000_000_000_000, 'intake'));
    const posts = await countRows(app, 'webhook_posts');
    const waiters = app.ctx.database.lockWaiters!;
    let seen = 0;
    let intakeWaited = false;
    let storedBeforeLast: boolean | null = null;
    let answer: Promise<{ statusCode: number }> | null = null;
    app.ctx.inboundHooks.register('intake-during-a-turn', async (e) => {
      seen++;
      if (seen === 1) {
        // A POST arrives while this turn holds the lock: its commit, in the intake thread, waits and is counted.
        answer = postWebhook(app, backlog(3_330_000_000_000_000, 'arrives_during_turn'));
        for (let i = 0; i < 10_000 && waiters.waiting === 0; i++) await new Promise((r) => setTimeout(r, 1));
        intakeWaited = waiters.waiting > 0;
      }
      if (seen === EVENTS)
        storedBeforeLast =
          Number(
            (
              await e.trx
                .selectFrom('webhook_posts')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ) ===
          posts + 1;
    });
    // A turn long enough for the whole delivery: only the waiting commit can end it early.
    await processPendingPosts(app.ctx, { turnMs: 600_000 });

    assert.equal(intakeWaited, true, 'the intake thread waited for the lock while the turn held it');
    assert.equal(storedBeforeLast, true, "the POST was committed before the delivery's last event was applied");
    assert.equal((await answer!).statusCode, 200);
    assert.equal(waiters.waiting, 0);
    assert.equal(
      await countRows(app, 'webhook_events'),
      before + EVENTS,
      'every event of the first delivery applied once',
    );
  });
});
