// serve with all roles processes webhooks in a thread of its own, beside the thread that acknowledges them: a stored
// POST wakes it across the thread boundary, its metrics reach /metrics, and a thread that dies is started again
// while /readyz says why it is not ready.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startPagescope, type RunningServer } from '../../src/app/server.ts';
import type { ProcessingThread } from '../../src/app/processing-thread.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { initialiseKeys } from '../../src/modules/keys/keyring-store.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { signWebhookBody } from '../../src/platform/index.ts';
import { openTestDatabase, testDialects, testPgUrl, type TestDatabase } from '../support/db.ts';
import { until } from '../support/until.ts';

const SECRET = 'processing-thread-secret';
const PAGE = '100000000000088';

const message = (psid: string, mid: string) =>
  JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: 1_764_331_200_000,
        messaging: [
          {
            sender: { id: psid },
            recipient: { id: PAGE },
            timestamp: 1_764_331_200_000,
            message: { mid, text: 'hello' },
          },
        ],
      },
    ],
  });

for (const dialect of testDialects()) {
  describe(`serve's processing thread [${dialect}]`, () => {
    let database: TestDatabase;
    let running: RunningServer;

    before(async () => {
      database = await openTestDatabase(dialect);
      const master = randomBytes(32);
      await initialiseKeys(database.db, master, Date.now());
      const schema =
        dialect === 'postgres'
          ? (
              await database.db
                .selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s'))
                .executeTakeFirstOrThrow()
            ).s
          : null;
      await database.close();
      running = await startPagescope(
        loadConfig({
          PAGESCOPE_DATA_DIR: database.dataDir,
          PAGESCOPE_MASTER_KEY: master.toString('base64'),
          META_APP_SECRET: SECRET,
          META_VERIFY_TOKEN: 'verify',
          META_GRAPH_URL: 'http://127.0.0.1:9',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'silent',
          ...(schema && { DATABASE_URL: `${testPgUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}` }),
        }),
        { role: 'all', logger: createLogger('silent') },
      );
      await registerPage(running.ctx, cliActor, { id: PAGE, name: 'Threaded', access_token: 'page-token' });
    });

    after(async () => {
      await running?.close();
      await database?.destroy();
    });

    const readiness = async () => {
      const res = await fetch(`${running.url}/readyz`);
      const body = (await res.json()) as { error?: { details?: { reasons?: string[] } } };
      return { status: res.status, reasons: body.error?.details?.reasons ?? [] };
    };
    const post = async (psid: string, mid: string) => {
      const raw = message(psid, mid);
      const res = await fetch(`${running.url}/webhook`, {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, SECRET) },
      });
      assert.equal(res.status, 200, await res.text());
    };
    const contacts = async () =>
      Number(
        (
          await running.ctx.db
            .selectFrom('contacts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const metrics = async () => (await fetch(`${running.url}/metrics`)).text();

    it(
      'runs processing beside the server thread: a POST is processed there, and its metrics reach /metrics',
      { timeout: 120_000 },
      async () => {
        assert.ok(running.workers.some((w) => w.name === 'processing-thread'));
        await until('ready', async () => ((await readiness()).status === 200 ? true : undefined));
        await post('7100000000000001', 'm_thread_1');
        await until('the POST is processed', async () => ((await contacts()) === 1 ? true : undefined));
        const text = await metrics();
        assert.match(
          text,
          /^pagescope_events_processed_total\{kind="message"\} 1$/m,
          'counted by the processing thread',
        );
        assert.match(text, /^pagescope_webhook_posts_total\{outcome="stored"\} 1$/m, 'counted by the server thread');
        assert.match(text, /^pagescope_event_loop_stall_max_seconds \d/m);
        assert.equal(
          text.match(/^# TYPE pagescope_process_cpu_user_seconds_total/gm)?.length,
          1,
          "the process's own metrics once",
        );
      },
    );

    it('starts a thread that died again, and is not ready meanwhile, saying why', { timeout: 120_000 }, async () => {
      const thread = running.workers.find((w) => w.name === 'processing-thread') as ProcessingThread;
      await thread.crash();
      const { status, reasons } = await readiness();
      assert.equal(status, 503);
      assert.ok(
        reasons.some((r) => r === 'processing_stopped' || r === 'processing_starting'),
        reasons.join(),
      );
      await until('ready again', async () => ((await readiness()).status === 200 ? true : undefined));
      assert.match(await metrics(), /^pagescope_processing_thread_restarts_total 1$/m);
      await post('7100000000000002', 'm_thread_2');
      await until('the POST after the restart is processed', async () => ((await contacts()) === 2 ? true : undefined));
    });
  });
}
