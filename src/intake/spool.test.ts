import assert from 'node:assert/strict';
import fs, { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/support/app.ts';
import { signWebhookBody } from '../platform/index.ts';
import { currentIntakeKey, openIntakeBody } from '../modules/privacy/intake-keys.ts';
import { WebhookSpool } from './spool.ts';
import { startIngestWorkers } from '../modules/ingest/workers.ts';
import { ACCEPTED } from '../kernel/webhook-intake.ts';
import { SpoolIntake, rescueWebhookSpool as rescue } from './spool-intake.ts';

const rescueWebhookSpool = (ctx: TestApp['ctx']) => rescue(ctx, () => {});

const SECRET = 'test-app-secret';
const MB = 1024 * 1024;

function post(i: number, pad = 0): { raw: Buffer; headers: { sha256: string } } {
  const raw = Buffer.from(
    JSON.stringify({ object: 'page', entry: [{ id: '1', time: i, messaging: [{ n: i, pad: 'x'.repeat(pad) }] }] }),
  );
  return { raw, headers: { sha256: signWebhookBody(raw, SECRET) } };
}

describe('webhook spool [sqlite]', () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp('sqlite');
  });
  after(() => app.close());

  const dataDir = () => dirname(app.database.file!);
  const tryOpen = async (bytes = MB) => {
    const progress = await app.ctx.db
      .selectFrom('webhook_spool')
      .select(['seq', 'position'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return WebhookSpool.open({
      dataDir: dataDir(),
      file: app.database.file!,
      bytes,
      keyring: app.ctx.keyring,
      appSecret: SECRET,
      now: () => Date.now(),
      intakeKey: () => currentIntakeKey(app.ctx),
      progress: progress ?? { seq: 0, position: 0 },
    });
  };
  const open = async (bytes = MB) => {
    const spool = await tryOpen(bytes);
    assert.ok(spool, 'the spool opens');
    return spool;
  };
  const bodyField = (rowId: string) => ({ table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId });
  const bodies = async () =>
    (await app.ctx.db.selectFrom('webhook_posts').select(['id', 'body_enc']).execute())
      .map((r) => openIntakeBody(app.ctx, r.body_enc!, bodyField(r.id)))
      .map((plain) => JSON.parse(plain.toString('utf8')).entry[0].messaging[0].n as number)
      .sort((a, b) => a - b);
  const reset = async () => {
    await app.ctx.db.deleteFrom('webhook_posts').execute();
  };

  it('answers a POST once it is in the ring, and a restart moves what was answered and never moved, exactly once', async () => {
    await reset();
    const spool = await open();
    // The database takes nothing: what is answered lives only in the ring.
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => spool.accept(post(i).raw, post(i).headers)));
    assert.deepEqual(answers, Array(40).fill(null));
    // A crash: the mover is gone before it could move anything.
    await spool.close(0);
    await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    assert.deepEqual(await bodies(), []);

    const restarted = await open();
    await restarted.settled();
    assert.deepEqual(
      await bodies(),
      Array.from({ length: 40 }, (_, i) => i),
    );
    await restarted.close();
    const again = await open();
    await again.settled();
    assert.equal((await bodies()).length, 40, 'a second restart moves nothing again');
    await again.close();
  });

  it('finishes the record writes on their way to disk before it closes the ring: what they hold is moved at the next open', async () => {
    await reset();
    const spool = await open();
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    // A slow disk: each write starts 300 ms after it is asked for, longer than the mover takes to stop.
    const write = fs.write;
    const slow = (...args: unknown[]) => setTimeout(() => (write as (...a: unknown[]) => void)(...args), 300);
    fs.write = slow as unknown as typeof fs.write;
    syncBuiltinESMExports();
    try {
      const answers = [7, 8, 9].map((i) => spool.accept(post(i).raw, post(i).headers));
      // The POSTs' record is on its way to disk once the turn they arrived in is over; the spool closes meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      await spool.close(0);
      // Answered stored, or (written once the mover had stopped) 503: Meta sends those again, and the copy is skipped.
      await Promise.all(answers);
    } finally {
      fs.write = write;
      syncBuiltinESMExports();
      await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    }
    const reopened = await open();
    await reopened.settled();
    assert.deepEqual(await bodies(), [7, 8, 9], 'the record reached the ring before it was closed');
    await reopened.close();
  });

  it('keeps a POST only until it is moved: moved records are zeroed, and what an earlier run left of moved records is zeroed at open', async () => {
    await reset();
    const ring = join(dataDir(), 'webhook-spool.ring');
    const nonZero = () => readFileSync(ring).filter((b) => b !== 0).length;
    const spool = await open();
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    assert.deepEqual(await Promise.all([1, 2, 3].map((i) => spool.accept(post(i, 200).raw, post(i, 200).headers))), [
      null,
      null,
      null,
    ]);
    assert.ok(nonZero() > 600, 'answered and not yet moved: in the ring');
    await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    // The mover retries; once it has moved them they are wiped.
    await spool.settled();
    assert.equal((await bodies()).length, 3);
    assert.equal(nonZero(), 0, 'moved records are zeroed');
    assert.deepEqual(await Promise.all([4, 5].map((i) => spool.accept(post(i).raw, post(i).headers))), [null, null]);
    await spool.settled();
    await spool.close();
    // A record moved by a run that stopped before wiping it (or by a version that did not wipe).
    const fd = openSync(ring, 'r+');
    writeSync(fd, Buffer.from('a moved record left behind'), 0, 26, 4096);
    closeSync(fd);
    const reopened = await open();
    assert.equal(nonZero(), 0, 'wiped at open');
    await reopened.close();
    assert.equal((await bodies()).length, 5, 'and nothing was moved twice or lost');
  });

  it("is held by one owner at a time: a second open here, or a lock of another live process, gets none; a dead or reused holder's lock is taken over", async () => {
    const first = await open();
    assert.equal(await tryOpen(), null, 'a second spool on the same data dir in this process');
    await first.close();
    const lockPath = join(dataDir(), 'webhook-spool.lock');
    writeFileSync(lockPath, parentLock());
    assert.equal(await tryOpen(), null, "the lock of a live process (this one's parent)");
    writeFileSync(lockPath, String(process.ppid));
    assert.equal(await tryOpen(), null, 'a lock naming only the pid of a live process (as written before start times)');
    // The pid of a live process that started at another time: a crashed holder whose pid was reused.
    writeFileSync(lockPath, `${process.ppid} 1`);
    await (await open()).close();
    // A lock left by a process that is gone (pid 2^22 + 1 is above Linux's pid limit) is taken over.
    writeFileSync(lockPath, String(4_194_305));
    await (await open()).close();
  });

  const parentLock = () =>
    `${process.ppid} ${readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]}`;

  it('is rescued by a process without the web role: what a stopped web process answered is moved once no live process holds it', async () => {
    await reset();
    const spool = await open();
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    assert.deepEqual(
      await Promise.all(Array.from({ length: 30 }, (_, i) => spool.accept(post(i).raw, post(i).headers))),
      Array(30).fill(null),
    );
    // The web process dies before its mover could write anything.
    await spool.close(0);
    await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    const lockPath = join(dataDir(), 'webhook-spool.lock');
    writeFileSync(lockPath, parentLock());
    assert.equal(await rescueWebhookSpool(app.ctx), 0, 'a live holder keeps the spool');
    assert.deepEqual(await bodies(), []);
    writeFileSync(lockPath, String(4_194_305));
    assert.ok((await rescueWebhookSpool(app.ctx)) > 0, 'records moved');
    assert.deepEqual(
      await bodies(),
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(existsSync(lockPath), false, 'the spool is let go once moved');
    assert.equal(await rescueWebhookSpool(app.ctx), 0, 'and nothing is moved twice');
    assert.equal((await bodies()).length, 30);
  });

  it('is rescued by the background workers of such a process on their own', async () => {
    await reset();
    const spool = await open();
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    assert.deepEqual(await Promise.all([7, 8, 9].map((i) => spool.accept(post(i).raw, post(i).headers))), [
      null,
      null,
      null,
    ]);
    await spool.close(0);
    await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    const workers = startIngestWorkers(app.ctx, {
      idleMs: 60_000,
      profileIdleMs: 60_000,
      retentionIdleMs: 60_000,
      spoolRescueIdleMs: 100,
    });
    try {
      // The workers' processor applies them as they arrive and drops their bodies: the moved rows are counted.
      const moved = async () =>
        (await app.ctx.db.selectFrom('webhook_posts').select('status').execute()).map((r) => r.status);
      for (let i = 0; i < 600 && (await moved()).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await moved()).length, 3);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('is never created by a rescue: a data dir without a ring stays without one', async () => {
    const other = await createTestApp('sqlite');
    try {
      assert.equal(await rescueWebhookSpool(other.ctx), 0);
      assert.equal(WebhookSpool.ringExists(dirname(other.database.file!)), false);
    } finally {
      await other.close();
    }
  });

  it('is taken by the web side as soon as the process holding it lets it go; meanwhile POSTs are stored directly', async () => {
    await reset();
    const lockPath = join(dataDir(), 'webhook-spool.lock');
    writeFileSync(lockPath, parentLock());
    const intake = await SpoolIntake.open(app.ctx as Parameters<typeof SpoolIntake.open>[0], () => {}, 20);
    try {
      assert.deepEqual(await intake.accept(post(1).raw, post(1).headers), ACCEPTED);
      assert.deepEqual(await bodies(), [1], 'stored straight into the database while the spool is held');
      writeFileSync(lockPath, String(4_194_305));
      const ours = () => readFileSync(lockPath, 'utf8').startsWith(`${process.pid} `);
      for (let i = 0; i < 500 && !ours(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ours(), 'the spool was taken within 5 s of being let go');
      assert.deepEqual(await intake.accept(post(2).raw, post(2).headers), ACCEPTED);
      await intake.settled();
      assert.deepEqual(await bodies(), [1, 2]);
    } finally {
      await intake.close();
    }
    assert.equal(existsSync(lockPath), false, 'closing lets it go');
  });

  it('refuses what is not signed or not an envelope, and writes nothing for it', async () => {
    const spool = await open();
    const forged = post(1);
    assert.equal(
      (await spool.accept(forged.raw, { sha256: signWebhookBody('other', SECRET) }))?.code,
      'invalid_signature',
    );
    const notEnvelope = Buffer.from('{"hello":1}');
    assert.equal(
      (await spool.accept(notEnvelope, { sha256: signWebhookBody(notEnvelope, SECRET) }))?.code,
      'bad_request',
    );
    assert.equal(spool.unmovedBytes, 0, 'no record was written for them');
    const before = (await bodies()).length;
    await spool.settled();
    assert.equal((await bodies()).length, before, 'no delivery was stored for them');
    await spool.close();
  });

  it('goes round the ring many times across restarts, losing nothing and moving nothing twice', async () => {
    await reset();
    let n = 0;
    // 1 MB ring, ~20 kB POSTs: each round writes ~2.4 MB, more than two laps.
    for (let round = 0; round < 3; round++) {
      const spool = await open();
      for (let burst = 0; burst < 12; burst++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => {
            const p = post(n++, 20_000);
            return spool.accept(p.raw, p.headers);
          }),
        );
        assert.deepEqual(answers, Array(10).fill(null));
        await spool.settled();
      }
      await spool.close();
    }
    assert.deepEqual(
      await bodies(),
      Array.from({ length: n }, (_, i) => i),
    );
  });

  it('stops at a torn record at a restart: every record before it is moved, and writing goes on from there', async () => {
    await reset();
    const spool = await open();
    await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
    for (let i = 0; i < 5; i++) assert.equal(await spool.accept(post(i).raw, post(i).headers), null);
    await spool.close(0);
    await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
    // The fifth record as a crash mid-write would leave it: its last bytes never reached the disk.
    const progress = await app.ctx.db.selectFrom('webhook_spool').selectAll().executeTakeFirstOrThrow();
    const fd = openSync(join(dataDir(), 'webhook-spool.ring'), 'r+');
    const header = Buffer.alloc(16);
    let at = progress.position;
    for (let i = 0; i < 4; i++) {
      readSync(fd, header, 0, 16, at);
      at += 16 + header.readUInt32LE(4);
    }
    readSync(fd, header, 0, 16, at);
    assert.equal(header.readDoubleLE(8), progress.seq + 5, 'the fifth record is where the walk says');
    writeSync(fd, Buffer.alloc(8), 0, 8, at + 16 + header.readUInt32LE(4) - 8);
    closeSync(fd);
    const restarted = await open();
    await restarted.settled();
    assert.deepEqual(await bodies(), [0, 1, 2, 3]);
    assert.equal(await restarted.accept(post(9).raw, post(9).headers), null);
    await restarted.close();
    const again = await open();
    await again.settled();
    assert.deepEqual(await bodies(), [0, 1, 2, 3, 9]);
    await again.close();
  });
});
