// kill -9 of the dispatcher at random moments during 10,000 sends to the emulator (rate limits on, four Pages): nothing
// is lost, only sends in flight at a kill may be repeated (at most once per kill that found them in flight), and a
// send whose result was committed is never sent again. About 40 s on a 2-core machine (CRASH_DEBUG=1 prints the
// timeline); PAGESCOPE_CRASH_SENDS (default 10000) and PAGESCOPE_CRASH_ROUNDS (default 20) scale it. The kill
// moments come from a seed the test prints; PAGESCOPE_TEST_SEED=<seed> chooses the same ones again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { systemClock } from '../../src/lib/time.ts';
import { createContext } from '../../src/kernel/context.ts';
import { withWebhookIntake } from '../../src/app/bootstrap.ts';
import { initialiseKeys, openKeyring } from '../../src/modules/keys/keyring-store.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { enqueueSend } from '../../src/modules/messaging/enqueue-send.ts';
import { openTestDatabase } from '../support/db.ts';
import { randomFor } from '../support/random.ts';
import { insertContact } from './support.ts';
import { startRemoteEmulator } from './remote-emulator.ts';
import { RUN_TS } from '../support/run-ts.ts';

const SENDS = Number(process.env.PAGESCOPE_CRASH_SENDS ?? 10_000);
const ROUNDS = Number(process.env.PAGESCOPE_CRASH_ROUNDS ?? 20);
const PAGES = 4;
// A worker runs this long (uniformly at random) before it is killed: always mid-work, since it starts with a full queue.
const KILL_AFTER_MS = [250, 1500] as const;
const CONTACTS_PER_PAGE = 100;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

test(
  `kill -9 of the dispatcher during ${SENDS} sends, ${ROUNDS} times: nothing lost, no committed send repeated`,
  { timeout: 180_000 },
  async (t) => {
    const { random } = randomFor(t);
    const meta = await startRemoteEmulator({
      seed: 'crash',
      appSecret: 'crash-secret',
      callLogLimit: SENDS * 3,
      policy: { echoes: false, deliveryReceipts: false },
    });
    const database = await openTestDatabase('sqlite');
    const masterKey = randomBytes(32);
    await initialiseKeys(database.db, masterKey, Date.now());
    const keyring = await openKeyring(database, masterKey);
    const config = loadConfig({
      PAGESCOPE_DATA_DIR: database.dataDir,
      META_GRAPH_URL: meta.url,
      META_APP_SECRET: 'crash-secret',
    });
    const ctx = createContext({ config, database, keyring, logger: createLogger('warn'), clock: systemClock });
    await withWebhookIntake(ctx, false);
    const children: { child: ChildProcess; exited: Promise<unknown> }[] = [];
    try {
      // Contacts interleaved across the Pages, so that the queue's order spreads the sends over every Page's rate.
      const contacts: string[] = [];
      for (let p = 0; p < PAGES; p++) {
        const page = await meta.createPage(`Crash ${p}`);
        await registerPage(ctx, cliActor, { id: page.id, name: `Crash ${p}`, access_token: page.access_token });
        for (let c = 0; c < CONTACTS_PER_PAGE; c++)
          contacts[c * PAGES + p] = await insertContact(ctx, page.id, (await meta.createPerson(page.id, `C${c}`)).psid);
      }
      const t0 = Date.now();
      for (let start = 0; start < SENDS; start += 500) {
        await ctx.db.transaction().execute(async (trx) => {
          for (let i = start; i < Math.min(SENDS, start + 500); i++) {
            const r = await enqueueSend(trx, ctx, {
              contactId: contacts[i % contacts.length]!,
              author: 'automation',
              message: { text: `n${i}` },
              kind: 'text',
            });
            assert.equal(r.outcome, 'queued');
          }
        });
      }

      if (process.env.CRASH_DEBUG) console.log(`enqueued in ${Date.now() - t0} ms`);
      const env = {
        ...process.env,
        PAGESCOPE_DATA_DIR: database.dataDir,
        PAGESCOPE_MASTER_KEY: masterKey.toString('base64'),
        META_GRAPH_URL: meta.url,
        META_APP_SECRET: 'crash-secret',
        LOG_LEVEL: 'warn',
      };
      // Sends Meta accepted, by delivery id; the call log is read on from where the last read stopped.
      const counts = new Map<string, number>();
      let lastCall = 0;
      const refused = new Map<number, number>();
      const accepted = async () => {
        for (const c of await meta.calls(lastCall)) {
          lastCall = c.id;
          if (c.status !== 200) refused.set(c.status, (refused.get(c.status) ?? 0) + 1);
          const id = c.params.message?.metadata;
          if (c.status === 200 && id) counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        return counts;
      };
      const statuses = async () =>
        new Map(
          (await ctx.db.selectFrom('deliveries').select(['id', 'status', 'lease_owner']).execute()).map((r) => [
            r.id,
            r,
          ]),
        );
      const kills: { inFlight: Set<string>; committed: Map<string, number> }[] = [];

      // Each process opens the app before it is needed (while the ones before it work) and starts dispatching on
      // 'go', so a round costs the time the worker runs, not a process start.
      const prepare = (round: number) => {
        const workerId = `crash-${round}`;
        const child = spawn(process.execPath, [...RUN_TS, CHILD], {
          env: { ...env, CRASH_WORKER_ID: workerId },
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        const exited = new Promise<number | string | null>((resolve) =>
          child.once('exit', (code, signal) => resolve(code ?? signal)),
        );
        children.push({ child, exited });
        let out = '';
        const said = (word: string) =>
          new Promise<void>((resolve, reject) => {
            const check = () => out.split('\n').includes(word) && resolve();
            child.stdout.on('data', (b: Buffer) => {
              out += b.toString();
              check();
            });
            check();
            void exited.then((how) =>
              reject(new Error(`dispatcher ${workerId} ended (${String(how)}) before it said '${word}'`)),
            );
          });
        const ready = said('ready');
        return {
          workerId,
          child,
          exited,
          go: async () => {
            await ready;
            child.stdin.write('go\n');
            await said('started');
          },
        };
      };

      // A process takes longer to start (~1 s here) than a round lasts, so two are kept ready ahead.
      const upcoming = [prepare(0), ...(ROUNDS > 0 ? [prepare(1)] : [])];
      for (let round = 0; round <= ROUNDS; round++) {
        const current = upcoming.shift()!;
        const tGo = Date.now();
        await current.go();
        if (process.env.CRASH_DEBUG)
          console.log(`round ${round}: started ${Date.now() - tGo} ms after go, at ${Date.now() - t0} ms`);
        if (round + 2 <= ROUNDS) upcoming.push(prepare(round + 2));
        const last = round === ROUNDS;
        if (last) {
          // The final instance runs until the outbox is empty, then must stop cleanly on SIGTERM.
          for (;;) {
            const open = await ctx.db
              .selectFrom('deliveries')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('status', 'in', ['queued', 'sending'])
              .executeTakeFirstOrThrow();
            if (Number(open.n) === 0) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          current.child.kill('SIGTERM');
          assert.equal(await current.exited, 0, 'SIGTERM drains and exits 0');
          break;
        }
        await new Promise((r) => setTimeout(r, KILL_AFTER_MS[0] + random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0])));
        current.child.kill('SIGKILL');
        await current.exited;
        const tKill = Date.now();
        const now = await statuses();
        const seen = new Map(await accepted());
        const inFlight = new Set(
          [...now.values()]
            .filter((r) => r.status === 'sending' && r.lease_owner === current.workerId)
            .map((r) => r.id),
        );
        const committed = new Map(
          [...now.values()].filter((r) => r.status === 'sent').map((r) => [r.id, seen.get(r.id) ?? 0]),
        );
        kills.push({ inFlight, committed });
        if (process.env.CRASH_DEBUG)
          console.log(
            `kill ${round}: ${inFlight.size} in flight, ${committed.size} sent, checked in ${Date.now() - tKill} ms`,
          );
      }

      const final = await statuses();
      await accepted();
      const lost = [...final.keys()].filter((id) => final.get(id)!.status !== 'sent' || !counts.has(id));
      assert.deepEqual(lost, [], 'every delivery was sent and Meta received it');
      assert.equal(final.size, SENDS);
      let duplicates = 0;
      for (const [id, n] of counts) {
        if (n <= 1) continue;
        duplicates += n - 1;
        const killsInFlight = kills.filter((k) => k.inFlight.has(id)).length;
        assert.ok(
          n - 1 <= killsInFlight,
          `${id} was repeated ${n - 1} times but in flight at only ${killsInFlight} kills`,
        );
      }
      for (const [k, kill] of kills.entries()) {
        for (const [id, n] of kill.committed)
          assert.equal(counts.get(id), n, `kill ${k}: ${id} was sent again after its result was committed`);
      }
      const inFlightTotal = kills.reduce((s, k) => s + k.inFlight.size, 0);
      const perKill = kills.map((k) => [...k.inFlight].filter((id) => (counts.get(id) ?? 0) > 1).length);
      assert.ok(perKill.every((d, i) => d <= kills[i]!.inFlight.size));
      if (process.env.CRASH_DEBUG) console.log('refused calls by status', [...refused]);
      console.log(
        `crash: ${SENDS} sends, ${kills.length} kills, ${inFlightTotal} sends in flight at kills, ${duplicates} duplicates (max ${Math.max(...perKill)} per kill), 0 lost`,
      );
    } finally {
      // A failed assertion must not leave a worker behind (a prepared one, or one not yet killed).
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await ctx.close();
      await database.destroy();
      await meta.close();
    }
  },
);
