// Writers beside live ingest: API sends, privacy requests and a `keys rotate` (the real CLI, in its own process)
// while a served pagescope takes signed webhooks from new people without pause. On SQLite the webhook's intake
// thread and the spool's mover commit from their own connections meanwhile; on PostgreSQL the processor's
// transactions run beside the API's. Nobody may get a 5xx, and the rotation must complete.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { startPagescope, type RunningServer } from '../../src/app/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { initialiseKeys } from '../../src/modules/keys/keyring-store.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { signWebhookBody } from '../../src/platform/index.ts';
import { openTestDatabase, testDialects, testPgUrl, type TestDatabase } from '../support/db.ts';
import { runCli } from '../support/cli.ts';

const SECRET = 'load-app-secret';
const PAGE = '100000000000077';

function webhookBody(psid: string, n: number): string {
  const now = Date.now();
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: now,
        messaging: [
          {
            sender: { id: psid },
            recipient: { id: PAGE },
            timestamp: now,
            message: { mid: `m_load_${psid}_${n}`, text: `hello ${n}` },
          },
        ],
      },
    ],
  });
}

for (const dialect of testDialects()) {
  describe(`writers beside live ingest [${dialect}]`, () => {
    let database: TestDatabase;
    let running: RunningServer;
    let env: Record<string, string>;
    let token: string;

    before(async () => {
      database = await openTestDatabase(dialect);
      const master = randomBytes(32);
      await initialiseKeys(database.db, master, Date.now());
      // The server and the CLI reach the test's own schema through the URL, as any client of that database would.
      const schema =
        dialect === 'postgres'
          ? (
              await database.db
                .selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s'))
                .executeTakeFirstOrThrow()
            ).s
          : null;
      await database.close();
      env = {
        PAGESCOPE_DATA_DIR: database.dataDir,
        PAGESCOPE_MASTER_KEY: master.toString('base64'),
        META_APP_SECRET: SECRET,
        META_VERIFY_TOKEN: 'verify',
        META_GRAPH_URL: 'http://127.0.0.1:9',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        ...(schema && { DATABASE_URL: `${testPgUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}` }),
      };
      running = await startPagescope(loadConfig(env), { role: 'all', logger: createLogger('silent') });
      await registerPage(running.ctx, cliActor, { id: PAGE, name: 'Load', access_token: 'page-token' });
      token = (await createToken(running.ctx, cliActor, { name: 'load', role: 'owner' })).token;
    });

    after(async () => {
      await running?.close();
      await database?.destroy();
    });

    it(
      'answers API sends and privacy requests without a 5xx, and `keys rotate` completes, while webhooks keep arriving',
      { timeout: 240_000 },
      async () => {
        const url = running.url!;
        const api = (method: string, path: string, body?: unknown) =>
          fetch(`${url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { body: JSON.stringify(body) }),
          });
        let stop = false;
        let posted = 0;
        const webhookStatuses: number[] = [];
        // Two posters, each POSTing as soon as the last was answered, every POST from a new person.
        const posters = Array.from({ length: 2 }, async (_, p) => {
          for (let n = 0; !stop; n++) {
            const raw = webhookBody(`${7_000_000_000_000 + p * 1_000_000 + n}`, n);
            const res = await fetch(`${url}/webhook`, {
              method: 'POST',
              body: raw,
              headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, SECRET) },
            });
            webhookStatuses.push(res.status);
            await res.arrayBuffer();
            posted++;
          }
        });
        try {
          // People who wrote in: the API writes below go to them.
          let contacts: { id: string }[] = [];
          while (contacts.length < 20) {
            const res = await api('GET', `/api/v1/pages/${PAGE}/contacts?limit=200`);
            contacts = ((await res.json()) as { data: { id: string }[] }).data;
            await new Promise((r) => setImmediate(r));
          }

          const statuses: number[] = [];
          const rotation = runCli(['keys', 'rotate', '--json'], env);
          const writers = contacts.slice(0, 20).map(async (c, i) => {
            for (let k = 0; k < 6; k++) {
              const send = await api('POST', `/api/v1/contacts/${c.id}/messages`, { text: `reply ${i}.${k}` });
              statuses.push(send.status);
              await send.arrayBuffer();
              const privacy = await api('POST', '/api/v1/privacy/requests', { type: 'access', contact_id: c.id });
              statuses.push(privacy.status);
              await privacy.arrayBuffer();
            }
          });
          await Promise.all(writers);
          const rotated = await rotation;

          const failed = statuses.filter((s) => s >= 500);
          assert.deepEqual(
            failed,
            [],
            `${failed.length} of ${statuses.length} API writes answered 5xx while ${posted} webhooks were posted`,
          );
          assert.ok(
            statuses.every((s) => s === 202),
            `every write is accepted: ${[...new Set(statuses)].join(', ')}`,
          );
          assert.equal(rotated.code, 0, `keys rotate exits 0: ${rotated.stderr}`);
          const result = JSON.parse(rotated.stdout) as { version: number; completed: boolean };
          assert.equal(result.completed, true);
          assert.equal(result.version, 2);
        } finally {
          stop = true;
          await Promise.all(posters);
        }
        assert.deepEqual(
          webhookStatuses.filter((s) => s !== 200),
          [],
          'every webhook POST is acknowledged',
        );

        // Everyone written meanwhile, before and after the new key became current, stays readable.
        const all: { id: string; psid?: string }[] = [];
        for (let cursor: string | null = null; ;) {
          const res = await api('GET', `/api/v1/pages/${PAGE}/contacts?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(res.status, 200);
          const page = (await res.json()) as { data: { id: string; psid?: string }[]; next_cursor: string | null };
          all.push(...page.data);
          if (!page.next_cursor) break;
          cursor = page.next_cursor;
        }
        assert.ok(all.length >= 20);
        for (const c of all) {
          assert.match(c.psid ?? '', /^7\d{12}$/, 'each contact reads back with its PSID');
          const history = await api('GET', `/api/v1/contacts/${c.id}/messages`);
          assert.equal(history.status, 200);
          await history.arrayBuffer();
        }
      },
    );
  });
}
