import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContactKeyStore } from '../../crypto/contact-key-store.ts';
import { contactKeysFile } from '../../kernel/context.ts';
import { signWebhookBody } from '../../platform/index.ts';
import { testDialects } from '../../../test/support/db.ts';
import { drain, envelope, ingestApp, messageItem, postWebhook, PAGE_A, SECRET } from '../../../test/ingest/support.ts';
import { postRow } from '../ingest/accept-post.ts';
import { IntakeThread } from '../../intake/intake-worker.ts';
import { insertPosts } from '../ingest/webhook.repository.ts';
import type { IntakeKey } from './intake-body.ts';
import { currentIntakeKey, maintainIntakeKeys, openIntakeBody, rotateIntakeKey } from './intake-keys.ts';

const field = (rowId: string) => ({ table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId });
const HOUR = 3600_000;
const PSID = '6000000000000001';
const opened = (app: { ctx: Parameters<typeof openIntakeBody>[0] }, row: { id: string; body_enc: string | null }) =>
  openIntakeBody(app.ctx, row.body_enc!, field(row.id)).toString('utf8');

for (const dialect of testDialects()) {
  describe(`intake keys [${dialect}]`, () => {
    const bodies = async (app: Awaited<ReturnType<typeof ingestApp>>) =>
      app.ctx.db.selectFrom('webhook_posts').select(['id', 'status', 'body_enc', 'body_key']).orderBy('id').execute();
    const post = (app: Awaited<ReturnType<typeof ingestApp>>, mid: string) =>
      postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, PSID, mid, `text of ${mid}`, app.clock.now())]));

    it('opens a body while its key lives, and refuses it with a clear error once the key is destroyed', async () => {
      const app = await ingestApp(dialect);
      try {
        await post(app, 'm_1');
        const [row] = await bodies(app);
        const key = currentIntakeKey(app.ctx);
        assert.equal(row!.body_key, key.id, 'the row names the key its body is under');
        assert.match(opened(app, row!), /text of m_1/);
        assert.equal(app.ctx.contactKeys.destroyIntakeKeys([key.id]), 1);
        assert.throws(() => opened(app, row!), { code: 'decryption_failed', message: /intake key is gone/ });
      } finally {
        await app.close();
      }
    });

    it('keeps a key while a pending body is under it, and destroys it once that body is processed', async () => {
      const app = await ingestApp(dialect);
      try {
        await post(app, 'm_pending');
        const old = currentIntakeKey(app.ctx).id;
        const pass = await rotateIntakeKey(app.ctx);
        assert.deepEqual([pass.live, pass.destroyed], [2, 0], 'the old key stays: a body under it is still pending');
        assert.notEqual(currentIntakeKey(app.ctx).id, old);
        await post(app, 'm_after');
        const underOld = (await bodies(app)).map((r) => r.body_key === old);
        assert.deepEqual(underOld, [true, false], 'new bodies go under the new key');
        await drain(app);
        assert.equal(app.ctx.contactKeys.intakeKey(old), null, 'processing caught up: the old key is gone');
        assert.deepEqual(
          app.ctx.contactKeys.intakeKeyList().map((k) => k.id),
          [currentIntakeKey(app.ctx).id],
        );
      } finally {
        await app.close();
      }
    });

    it('seals kept (failed) bodies again under the current key before the old key goes; they still open', async () => {
      const app = await ingestApp(dialect);
      try {
        const old = currentIntakeKey(app.ctx);
        // A body the processor cannot apply (as a parser that changed would leave it): failed, kept until retention.
        const kept = '{"object":"page","kept":"yes"}';
        const failing = postRow(app.ctx.keyring, old, Buffer.from(kept), 'e'.repeat(64), app.clock.now());
        await insertPosts(app.ctx.db, [failing]);
        await drain(app);
        assert.deepEqual(
          (await bodies(app)).map((r) => [r.status, r.body_key]),
          [['failed', old.id]],
        );
        const pass = await rotateIntakeKey(app.ctx);
        assert.deepEqual([pass.live, pass.destroyed, pass.resealed], [1, 1, 1]);
        const [row] = await bodies(app);
        assert.equal(row!.body_key, currentIntakeKey(app.ctx).id);
        assert.equal(opened(app, row!), kept);
      } finally {
        await app.close();
      }
    });

    it('makes a new key once the current one is an hour old, and not before', async () => {
      const app = await ingestApp(dialect);
      try {
        const first = currentIntakeKey(app.ctx).id;
        await maintainIntakeKeys(app.ctx);
        assert.equal(currentIntakeKey(app.ctx).id, first);
        app.clock.advance(HOUR);
        const pass = await maintainIntakeKeys(app.ctx);
        assert.notEqual(currentIntakeKey(app.ctx).id, first);
        assert.deepEqual([pass.live, pass.destroyed], [1, 1], 'no body was under the old one: it is gone at once');
        const listed = await app.ctx.db.selectFrom('intake_keys').select(['id', 'retired_at']).orderBy('id').execute();
        assert.deepEqual(
          listed.map((k) => [k.id === first, k.retired_at !== null]),
          [
            [true, true],
            [false, false],
          ],
        );
      } finally {
        await app.close();
      }
    });

    it('keeps its keys across a restart: bodies stored before it open after it', async () => {
      const app = await ingestApp(dialect);
      try {
        await post(app, 'm_before');
        const key = currentIntakeKey(app.ctx).id;
        // What a restarted process opens: the same file, nothing cached.
        const before = app.ctx.contactKeys;
        app.ctx.contactKeys = ContactKeyStore.open(contactKeysFile(app.ctx.config), app.ctx.keyring);
        before.close();
        assert.equal(currentIntakeKey(app.ctx).id, key);
        const [row] = await bodies(app);
        assert.match(opened(app, row!), /text of m_before/);
        await drain(app);
        assert.equal((await bodies(app))[0]!.status, 'processed');
      } finally {
        await app.close();
      }
    });
  });
}

describe('intake keys in the threads that store webhooks [sqlite]', () => {
  const raw = (n: number) =>
    Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: PAGE_A, time: n, messaging: [{ n }] }] }));
  const signed = (n: number) => ({ sha256: signWebhookBody(raw(n), SECRET) });

  it('the spool mover follows a rotation: bodies moved after it are under the new key', async () => {
    const app = await ingestApp('sqlite');
    try {
      const keyOf = async (mid: string) => {
        await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, PSID, mid, 'hi', 1)]));
        const rows = await app.ctx.db
          .selectFrom('webhook_posts')
          .select('body_key')
          .orderBy('id', 'desc')
          .limit(1)
          .execute();
        return rows[0]!.body_key;
      };
      const first = currentIntakeKey(app.ctx).id;
      assert.equal(await keyOf('m_1'), first);
      await rotateIntakeKey(app.ctx);
      assert.equal(await keyOf('m_2'), currentIntakeKey(app.ctx).id);
      assert.notEqual(currentIntakeKey(app.ctx).id, first);
    } finally {
      await app.close();
    }
  });

  it('the intake worker told its key was retired seals again under the current one, and loses nothing', async () => {
    const app = await ingestApp('sqlite');
    let given: IntakeKey = currentIntakeKey(app.ctx);
    const intake = new IntakeThread({
      file: app.database.file!,
      keyring: app.ctx.keyring,
      intakeKey: () => given,
      appSecret: SECRET,
      now: () => app.clock.now(),
    });
    try {
      const old = given;
      assert.equal(await intake.accept(raw(0), signed(0)), null);
      // Retired while the worker still holds it: the next batch is sealed under it, and its store must fail.
      await rotateIntakeKey(app.ctx);
      // Eight POSTs go to the worker at once (before this turn ends), still under the old key; only then does the
      // current key become what the worker is given when it asks.
      const answers = Array.from({ length: 8 }, (_, i) => intake.accept(raw(i + 1), signed(i + 1)));
      given = currentIntakeKey(app.ctx);
      assert.deepEqual(await Promise.all(answers), Array(8).fill(null));
      const rows = await app.ctx.db
        .selectFrom('webhook_posts')
        .select(['id', 'body_key', 'body_enc'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.body_key === old.id),
        [true, ...Array(8).fill(false)],
      );
      const ns = rows.map((r) => (JSON.parse(opened(app, r)) as { entry: { time: number }[] }).entry[0]!.time);
      assert.deepEqual(
        ns.sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
      );
    } finally {
      await intake.close();
      await app.close();
    }
  });
});
