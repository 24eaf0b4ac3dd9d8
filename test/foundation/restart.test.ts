// kill -9 of a serving worker in the middle of a large webhook delivery and of sends in flight, then a restart: the
// new process takes back at once what its earlier life had claimed, instead of waiting for those leases to expire.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { openApp } from '../../src/app/bootstrap.ts';
import type { AppContext } from '../../src/kernel/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { initialiseKeys } from '../../src/modules/keys/keyring-store.ts';
import { receiveWebhook } from '../../src/modules/ingest/receive-webhook.ts';
import { sendMessage } from '../../src/modules/messaging/send-message.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { exitOf, startCli } from '../support/cli.ts';
import { openTestDatabase, testDialects, testPgUrl, type TestDatabase } from '../support/db.ts';
import { eventually, insertContact } from '../messaging/support.ts';

const SECRET = 'restart-secret';
const PEOPLE = 600;
const CONTACTS = 8;
/** Three replies to each contact: one contact's sends go out in order, so one each is in flight at a time. */
const SENDS = CONTACTS * 3;

function tookBack(output: string, msg: string): number {
  return output
    .split('\n')
    .filter((l) => l.includes(msg))
    .reduce((n, l) => n + (JSON.parse(l) as { deliveries: number }).deliveries, 0);
}

for (const dialect of testDialects()) {
  describe(`a restart after kill -9 [${dialect}]`, () => {
    let database: TestDatabase;
    let ctx: AppContext | undefined;
    let meta: EmulatorServer | undefined;
    let hanging: Server | undefined;

    after(async () => {
      await ctx?.close();
      await meta?.close();
      hanging?.closeAllConnections();
      hanging?.close();
      await database?.destroy();
    });

    it(
      'takes back at once the webhook delivery and the sends that the killed process had claimed, and finishes them',
      { timeout: 180_000 },
      async (t) => {
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
        meta = await startEmulatorServer({ seed: `restart-${dialect}`, appSecret: SECRET });
        // A Graph API that never answers: the first process's sends stay in flight until it is killed.
        hanging = createServer(() => {});
        await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
        const env = {
          PAGESCOPE_DATA_DIR: database.dataDir,
          PAGESCOPE_MASTER_KEY: master.toString('base64'),
          META_APP_SECRET: SECRET,
          LOG_LEVEL: 'info',
          ...(schema && { DATABASE_URL: `${testPgUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}` }),
        };
        ctx = await openApp(loadConfig(env));
        const page = meta.emulator.createPage({ name: 'Restart' });
        await registerPage(ctx, cliActor, { id: page.id, name: 'Restart', access_token: page.access_token });
        for (let i = 0; i < CONTACTS; i++) {
          const user = meta.emulator.createUser({ first_name: `P${i}`, last_name: 'Test' });
          const said = await meta.emulator.user(user.id).says(page.id, 'hello');
          const contactId = await insertContact(ctx, page.id, said.psid!);
          for (let k = 0; k < 3; k++) await sendMessage(ctx, cliActor, contactId, { text: `reply ${k}` });
        }
        const ts = Date.now();
        const body = JSON.stringify({
          object: 'page',
          entry: [
            {
              id: page.id,
              time: ts,
              messaging: Array.from({ length: PEOPLE }, (_, i) => ({
                sender: { id: `${3_300_000_000_000_000 + i}` },
                recipient: { id: page.id },
                timestamp: ts + i,
                message: { mid: `m_restart_${i}`, text: `hi ${i}` },
              })),
            },
          ],
        });
        await receiveWebhook(ctx, Buffer.from(body), {
          sha256: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
        });
        const db = ctx.db;
        const count = async (q: () => Promise<{ n: number | string | bigint }>) => Number((await q()).n);
        const sending = () =>
          count(
            () =>
              db
                .selectFrom('deliveries')
                .select((eb) => eb.fn.countAll().as('n'))
                .where('status', '=', 'sending')
                .executeTakeFirstOrThrow() as never,
          );
        const applied = () =>
          count(
            () =>
              db
                .selectFrom('webhook_events')
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow() as never,
          );

        const graph = (url: string) => ({ ...env, META_GRAPH_URL: url });
        const first = await startCli(
          ['serve', '--role', 'worker'],
          graph(`http://127.0.0.1:${(hanging.address() as { port: number }).port}`),
          /pagescope started/,
          60_000,
        );
        // Killed once each contact's first send is in flight and part of the large delivery is applied.
        try {
          await eventually(
            async () => (await sending()) === CONTACTS && (await applied()) > 0,
            'the first process has claimed the sends and begun the delivery',
            60_000,
          );
        } finally {
          first.child.kill('SIGKILL');
        }
        await exitOf(first.child);
        const claimedSends = await sending();
        t.diagnostic(`killed with ${claimedSends} sends in flight and ${await applied()} of ${PEOPLE} events applied`);
        const claimedDelivery = await db
          .selectFrom('webhook_posts')
          .select(['id', 'lease_owner'])
          .where('status', '=', 'pending')
          .execute();
        assert.equal(claimedSends, CONTACTS);
        assert.equal(
          claimedDelivery.length,
          1,
          'the large delivery was still being applied when the process was killed',
        );
        assert.notEqual(claimedDelivery[0]!.lease_owner, null);

        const dead = [
          ...new Set([
            ...claimedDelivery.map((d) => d.lease_owner!),
            ...(await db.selectFrom('deliveries').select('lease_owner').where('status', '=', 'sending').execute()).map(
              (d) => d.lease_owner!,
            ),
          ]),
        ];
        const restarted = Date.now();
        const second = await startCli(['serve', '--role', 'worker'], graph(meta.url), /pagescope started/, 60_000);
        try {
          const held = async () =>
            (await db.selectFrom('deliveries').select('id').where('lease_owner', 'in', dead).execute()).length +
            (await db.selectFrom('webhook_posts').select('id').where('lease_owner', 'in', dead).execute()).length;
          await eventually(async () => (await held()) === 0, 'nothing is held by the killed process any more', 60_000);
          t.diagnostic(
            `the killed process's claims moved ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began (process start included)`,
          );
          await eventually(
            async () => {
              const left = await db
                .selectFrom('deliveries')
                .select('id')
                .where('status', 'in', ['queued', 'sending'])
                .execute();
              const pending = await db
                .selectFrom('webhook_posts')
                .select('id')
                .where('status', '=', 'pending')
                .execute();
              return left.length === 0 && pending.length === 0;
            },
            'every claimed item is finished after the restart',
            120_000,
          );
          t.diagnostic(
            `every claimed item finished ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart began`,
          );
          assert.equal(
            tookBack(second.output(), 'took back sends claimed by a process that stopped'),
            CONTACTS,
            'the sends were taken back at start, not after their leases',
          );
          assert.equal(tookBack(second.output(), 'took back webhook deliveries claimed by a process that stopped'), 1);
          const sent = await db.selectFrom('deliveries').select('id').where('status', '=', 'sent').execute();
          assert.equal(sent.length, SENDS);
          assert.equal(await applied(), PEOPLE, 'every event of the delivery is applied once');
        } finally {
          second.child.kill('SIGTERM');
          await exitOf(second.child);
        }
      },
    );
  });
}
