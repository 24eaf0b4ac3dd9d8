import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { openSqliteFile } from '../../src/db/sqlite-file.ts';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { signWebhookBody } from '../../src/platform/index.ts';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { createTestApp } from '../support/app.ts';
import { addKeyVersion } from '../../src/modules/keys/rotate-keys.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import {
  PAGE_A,
  SECRET,
  countRows,
  drain,
  echoItem,
  envelope,
  ingestApp,
  messageItem,
  postWebhook,
} from './support.ts';

const T0 = Date.UTC(2026, 10, 28, 10);
const TABLES = ['webhook_posts', 'webhook_events', 'contacts', 'messages', 'contact_events'] as const;

async function totalRows(app: TestApp): Promise<number> {
  let n = 0;
  for (const t of TABLES) n += await countRows(app, t);
  return n;
}

for (const dialect of testDialects()) {
  describe(`POST /webhook [${dialect}]`, () => {
    let app: TestApp;
    before(async () => {
      app = await ingestApp(dialect);
    });
    after(() => app.close());

    it('answers the handshake with the challenge verbatim, and 403 for a wrong verify token', async () => {
      const ok = await app.server.inject({
        url: '/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=CHALLENGE_ACCEPTED',
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.body, 'CHALLENGE_ACCEPTED');
      const wrong = await app.server.inject({
        url: '/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1',
      });
      assert.equal(wrong.statusCode, 403);
    });

    it('stores a signed delivery encrypted before answering 200, and processing turns it into a contact and a message', async () => {
      const body = envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000001', 'm_first', 'hello there', T0)]);
      const res = await postWebhook(app, body);
      assert.equal(res.statusCode, 200);
      const row = await app.ctx.db.selectFrom('webhook_posts').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.ok(!row.body_enc!.includes('hello there'));
      await drain(app);
      assert.equal(await countRows(app, 'contacts'), 1);
      assert.equal(await countRows(app, 'messages'), 1);
    });

    it('refuses a SHA-1 signature alone with 403 and stores nothing', async () => {
      const before = await totalRows(app);
      const body = envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000002', 'm_sha1', 'x', T0)]);
      const res = await postWebhook(app, body, { 'x-hub-signature': 'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276' });
      assert.equal(res.statusCode, 403);
      assert.equal(await totalRows(app), before);
    });

    it('answers 403 and adds no row for any change to the body or the signature', async () => {
      const body = envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000003', 'm_prop', 'property text', T0)]);
      const signature = signWebhookBody(body, SECRET);
      const before = await totalRows(app);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(body.length - 1),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          async (pos, delta, inSignature) => {
            let b = Buffer.from(body);
            let sig = signature;
            if (inSignature) {
              const i = 7 + (pos % 64);
              const hex = '0123456789abcdef';
              sig = sig.slice(0, i) + hex[(hex.indexOf(sig[i]!) + (delta % 15) + 1) % 16] + sig.slice(i + 1);
            } else {
              b = Buffer.from(b);
              b[pos] = (b[pos]! + delta) % 256;
            }
            const res = await postWebhook(app, b, { 'x-hub-signature-256': sig });
            assert.equal(res.statusCode, 403);
          },
        ),
        { numRuns: 60 },
      );
      assert.equal(await totalRows(app), before);
    });

    it('answers 400 for a correctly signed body that is not a Meta envelope, and stores nothing', async () => {
      const before = await totalRows(app);
      for (const body of ['{"hello":"world"}', '[1,2]', 'not json', '{"object":"page","entry":{}}']) {
        assert.equal((await postWebhook(app, body)).statusCode, 400, body);
      }
      assert.equal(await totalRows(app), before);
    });

    it('answers 413 for a body over the limit', async () => {
      const body = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(app.ctx.config.webhookMaxBytes) });
      assert.equal((await postWebhook(app, body)).statusCode, 413);
    });

    it('keeps unknown event kinds raw and counted, answering 200', async () => {
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: PAGE_A,
            time: T0,
            messaging: [
              {
                sender: { id: '2000000000000004' },
                recipient: { id: PAGE_A },
                timestamp: T0,
                brand_new_thing: { x: 1 },
              },
            ],
          },
        ],
      });
      assert.equal((await postWebhook(app, body)).statusCode, 200);
      await drain(app);
      const kept = await app.ctx.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('status', '=', 'unhandled')
        .execute();
      assert.equal(kept.length, 1);
      assert.ok(kept[0]!.raw_enc);
      assert.match(
        await app.ctx.metrics.registry.metrics(),
        /pagescope_webhook_events_unhandled_total\{kind="brand_new_thing"\} 1/,
      );
    });

    it('keeps events of a Page that is not registered raw, without making contacts', async () => {
      const contacts = await countRows(app, 'contacts');
      const body = envelope('999999999999999', [
        messageItem('999999999999999', '2000000000000005', 'm_unreg', 'hi', T0),
      ]);
      assert.equal((await postWebhook(app, body)).statusCode, 200);
      await drain(app);
      assert.equal(await countRows(app, 'contacts'), contacts);
      const ev = await app.ctx.db
        .selectFrom('webhook_events')
        .selectAll()
        .where('status', '=', 'unregistered_page')
        .executeTakeFirstOrThrow();
      assert.ok(ev.raw_enc);
    });

    it('turns the same delivery sent 50 times, concurrently and in sequence, into one message and one contact', async () => {
      const [contacts, messages] = [await countRows(app, 'contacts'), await countRows(app, 'messages')];
      const byStatus = async () => {
        const rows = await app.ctx.db.selectFrom('webhook_posts').select('status').execute();
        return [
          rows.filter((r) => r.status === 'processed').length,
          rows.filter((r) => r.status === 'duplicate').length,
        ] as const;
      };
      const [processed, duplicates] = await byStatus();
      const body = envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000006', 'm_dup', 'again and again', T0)]);
      const concurrent = await Promise.all(Array.from({ length: 25 }, () => postWebhook(app, body)));
      assert.ok(concurrent.every((r) => r.statusCode === 200));
      for (let i = 0; i < 25; i++) {
        assert.equal((await postWebhook(app, body)).statusCode, 200);
        if (i % 5 === 0) await drain(app);
      }
      await drain(app);
      assert.equal(await countRows(app, 'contacts'), contacts + 1);
      assert.equal(await countRows(app, 'messages'), messages + 1);
      assert.deepEqual(
        await byStatus(),
        [processed + 1, duplicates + 49],
        'one delivery applied, 49 set aside as duplicates',
      );
      const metrics = await app.ctx.metrics.registry.getSingleMetricAsString('pagescope_webhook_posts_total');
      assert.match(metrics, new RegExp(`outcome="duplicate"} ${duplicates + 49}$`, 'm'));
    });

    it('processes every entry of a batched POST, standby and echoes included', async () => {
      const psid = '2000000000000007';
      const k = 7;
      const items = Array.from({ length: k }, (_, i) =>
        messageItem(PAGE_A, psid, `m_batch_${i}`, `batch ${i}`, T0 + i),
      );
      const events = await countRows(app, 'webhook_events');
      assert.equal((await postWebhook(app, envelope(PAGE_A, items))).statusCode, 200);
      assert.equal(
        (
          await postWebhook(
            app,
            envelope(
              PAGE_A,
              [messageItem(PAGE_A, psid, 'm_standby', 'while the inbox owns the thread', T0 + 50)],
              'standby',
            ),
          )
        ).statusCode,
        200,
      );
      assert.equal(
        (
          await postWebhook(
            app,
            envelope(PAGE_A, [echoItem(PAGE_A, psid, 'm_echo', 'answer from the Page inbox', T0 + 60)]),
          )
        ).statusCode,
        200,
      );
      await drain(app);
      assert.equal(await countRows(app, 'webhook_events'), events + k + 2);
      const echo = await app.ctx.db
        .selectFrom('messages')
        .selectAll()
        .where('mid', '=', 'm_echo')
        .executeTakeFirstOrThrow();
      assert.deepEqual([echo.direction, echo.author], ['outbound', 'page']);
      const contact = await app.ctx.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', echo.contact_id)
        .executeTakeFirstOrThrow();
      assert.equal(contact.last_user_action_at, T0 + 50, 'the echo does not refresh the window');
    });
  });

  describe(`POST /webhook across a key rotation [${dialect}]`, () => {
    it('stores deliveries under the version that became current, and both versions still process', async () => {
      const app = await ingestApp(dialect);
      try {
        const versions = async () =>
          (await app.ctx.db.selectFrom('webhook_posts').select('body_enc').execute())
            .map((r) => app.ctx.keyring.versionOf(r.body_enc!))
            .sort();
        assert.equal(
          (await postWebhook(app, envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000031', 'm_rot_1', 'before', T0)])))
            .statusCode,
          200,
        );
        assert.deepEqual(await versions(), [1]);
        assert.equal(await addKeyVersion(app.ctx, cliActor, app.masterKey), 2);
        assert.equal(
          (
            await postWebhook(
              app,
              envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000031', 'm_rot_2', 'after', T0 + 1)]),
            )
          ).statusCode,
          200,
        );
        assert.deepEqual(await versions(), [1, 2]);
        await drain(app);
        assert.equal(await countRows(app, 'messages'), 2);
      } finally {
        await app.close();
      }
    });
  });

  describe(`POST /webhook when it cannot work [${dialect}]`, () => {
    it('answers 503 on both routes when META_APP_SECRET is missing, and says why in the log', async () => {
      const app = await createTestApp(dialect, { routes: [ingestRoutes], env: { META_APP_SECRET: '' } });
      try {
        const body = envelope(PAGE_A, []);
        assert.equal(
          (
            await app.server.inject({
              method: 'POST',
              url: '/webhook',
              payload: body,
              headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, SECRET) },
            })
          ).statusCode,
          503,
        );
        assert.equal(
          (await app.server.inject({ url: '/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1' }))
            .statusCode,
          503,
        );
        assert.match(app.logs.text(), /META_APP_SECRET is not set/);
      } finally {
        await app.close();
      }
    });

    if (dialect === 'sqlite') {
      it('answers 503 once the spool is full because the database takes nothing, and loses none it answered 200', async () => {
        // The smallest spool (1 MB, four of the largest bodies) and bodies of 100 kB: one record each.
        const app = await ingestApp(dialect, {
          PAGESCOPE_WEBHOOK_SPOOL_MB: '1',
          PAGESCOPE_WEBHOOK_MAX_BYTES: '262144',
        });
        try {
          await sql`alter table webhook_posts rename to webhook_posts_away`.execute(app.ctx.db);
          const statuses: number[] = [];
          for (let i = 0; i < 15 && !statuses.includes(503); i++) {
            const body = envelope(PAGE_A, [
              messageItem(PAGE_A, '2000000000000040', `m_full_${i}`, `${i} `.padEnd(100_000, 'x'), T0 + i),
            ]);
            statuses.push(
              (
                await app.server.inject({
                  method: 'POST',
                  url: '/webhook',
                  payload: body,
                  headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, SECRET) },
                })
              ).statusCode,
            );
          }
          const taken = statuses.filter((s) => s === 200).length;
          assert.ok(taken >= 6, `the spool took POSTs while the database could not (${statuses.join(',')})`);
          assert.equal(statuses.at(-1), 503, 'a full spool answers 503, so Meta retries later');
          for (let i = 0; i < 200 && !/could not be moved into the database/.test(app.logs.text()); i++)
            await new Promise((r) => setTimeout(r, 10));
          assert.match(app.logs.text(), /could not be moved into the database/);
          const gauge = async (name: string) =>
            Number(
              new RegExp(`^${name} (\\d+)$`, 'm').exec(
                await app.ctx.metrics.registry.getSingleMetricAsString(name),
              )![1],
            );
          assert.equal(await gauge('pagescope_webhook_spool_size_bytes'), 1024 * 1024);
          assert.ok(
            (await gauge('pagescope_webhook_spool_unmoved_bytes')) > 6 * 100_000,
            'operators see the spool filling',
          );
          await sql`alter table webhook_posts_away rename to webhook_posts`.execute(app.ctx.db);
          await drain(app);
          assert.equal(await countRows(app, 'messages'), taken, 'every POST answered 200 became its message');
          assert.equal(await gauge('pagescope_webhook_spool_unmoved_bytes'), 0);
          for (const secret of ['2000000000000040', 'm_full_0', 'xxxxxxxx'])
            assert.ok(!app.logs.text().includes(secret), `${secret} is not in the log`);
        } finally {
          await app.close();
        }
      });
    }

    if (dialect === 'sqlite') {
      it('without the spool, the intake worker refuses a bad signature (403) and a non-envelope (400), storing nothing, and closes with the app', async () => {
        const app = await ingestApp(dialect, { PAGESCOPE_WEBHOOK_SPOOL_MB: '0' });
        const file = app.database.file!;
        try {
          const body = envelope(PAGE_A, [
            messageItem(PAGE_A, '2000000000000050', 'm_intake', 'through the intake worker', T0),
          ]);
          assert.equal(
            (await postWebhook(app, body, { 'x-hub-signature-256': signWebhookBody(`${body} `, SECRET) })).statusCode,
            403,
          );
          assert.equal(
            (await postWebhook(app, body, { 'x-hub-signature': 'sha1=3daa41999293ff66c3eb313e04bcf77861bb0276' }))
              .statusCode,
            403,
          );
          assert.equal((await postWebhook(app, '{"hello":"world"}')).statusCode, 400);
          assert.equal(await totalRows(app), 0);
          assert.equal((await postWebhook(app, body)).statusCode, 200);
          assert.equal(
            await countRows(app, 'webhook_posts'),
            1,
            'the intake worker stored the signed envelope before its 200',
          );
        } finally {
          await app.close();
        }
        // The worker's own connection is closed with the app: no descriptor of this process still opens the database.
        const held = readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
          } catch {
            return false;
          }
        });
        assert.deepEqual(held, []);
      });
    }

    if (dialect === 'sqlite') {
      it('without the spool, a POST that finds another process writing leaves a note, is let in, and is answered 200', async () => {
        const app = await ingestApp(dialect, { PAGESCOPE_WEBHOOK_SPOOL_MB: '0' });
        const file = app.database.file!;
        // Another process's long turn (a CLI command, `serve --role worker`): it holds the lock until it sees a note.
        const other = openSqliteFile(file, { synchronous: 'FULL' });
        try {
          other.exec('begin immediate');
          const body = envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000051', 'm_noted', 'let me in', T0)]);
          const answered = postWebhook(app, body);
          let noted = false;
          for (let i = 0; i < 300 && !noted; i++) {
            await new Promise((r) => setTimeout(r, 10));
            noted = existsSync(`${file}-waiting`) && readdirSync(`${file}-waiting`).length > 0;
          }
          other.exec('commit');
          assert.equal(noted, true, 'the intake thread noted that it waits, instead of sleeping in the busy handler');
          assert.equal((await answered).statusCode, 200);
          assert.equal(await countRows(app, 'webhook_posts'), 1);
          assert.deepEqual(readdirSync(`${file}-waiting`), [], 'its note is gone once it had the lock');
        } finally {
          if (other.inTransaction) other.exec('rollback');
          other.close();
          await app.close();
        }
      });
    }

    it('answers 5xx when storage is down, so Meta retries', async () => {
      // SQLite: without the spool, POSTs are stored straight into the database.
      const app = await ingestApp(dialect, { PAGESCOPE_WEBHOOK_SPOOL_MB: '0' });
      try {
        // SQLite: the intake worker has its own connection, so break the storage itself; PostgreSQL: lose the server.
        if (dialect === 'sqlite') await sql`drop table webhook_posts`.execute(app.ctx.db);
        else await app.database.close();
        const res = await postWebhook(
          app,
          envelope(PAGE_A, [messageItem(PAGE_A, '2000000000000008', 'm_down', 'x', T0)]),
        );
        assert.equal(res.statusCode, 503);
      } finally {
        await app.server.close();
        await app.database.destroy().catch(() => {});
      }
    });
  });
}
