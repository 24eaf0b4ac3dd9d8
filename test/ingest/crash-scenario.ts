import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createEmulator, createTraffic } from '../../src/emulator/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { testPgUrl } from '../support/db.ts';
import { randomFor } from '../support/random.ts';
import type { Dialect } from '../../src/db/types.ts';
import type { TestApp } from '../support/app.ts';
import { canonicalState } from './dump.ts';
import { SECRET, drain, ingestApp } from './support.ts';
import type { CrashWorkerConfig } from './crash-worker.ts';
import { RUN_TS } from '../support/run-ts.ts';

const WORKER = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const ROUNDS = 21;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  progress: () => number;
  go: () => void;
}

function startWorker(cfg: CrashWorkerConfig, drainMode = false): Worker {
  const child = spawn(process.execPath, [...RUN_TS, WORKER, JSON.stringify(cfg), ...(drainMode ? ['--drain'] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let resolveReady: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) resolveReady();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    ready,
    exited,
    progress: () => (out.match(/processed/g) ?? []).length,
    go: () => child.stdin!.write('go\n'),
  };
}

/** The crash test for one dialect; each dialect has its own test file, so each gets the runner's whole per-file time. */
export function describeCrashTest(dialect: Dialect): void {
  describe(`processing survives kill -9 [${dialect}]`, () => {
    it(
      `ends, after ${ROUNDS} kills at random moments under emulator traffic, in the state of an uninterrupted run`,
      { timeout: 300_000 },
      async (t) => {
        const { seed, random } = randomFor(t);
        const crashed = await ingestApp(dialect);
        const reference = await ingestApp(dialect);
        const apps: TestApp[] = [crashed, reference];
        const emu = createEmulator({
          appSecret: SECRET,
          seed: `crash-${dialect}`,
          clockMode: 'frozen',
          clockStart: Date.UTC(2026, 10, 28, 8),
          rateLimits: false,
          delivery: { batchSize: 3, batchWindowMs: 3, duplicateRate: 0.2, reorderRate: 0.2, reorderHoldMs: 5 },
          // Meta's POSTs reach both apps byte for byte; the crashed app's answer is what the emulator sees.
          transport: async (req) => {
            const [a] = await Promise.all(
              apps.map((app) =>
                app.server.inject({
                  method: req.method,
                  url: '/webhook',
                  headers: req.headers,
                  ...(req.body !== undefined && { payload: req.body }),
                }),
              ),
            );
            return { status: a!.statusCode, body: a!.body };
          },
        });
        const pageIds = ['Crash A', 'Crash B'].map((name) => emu.createPage({ name }).id);
        for (const app of apps)
          for (const id of pageIds)
            await registerPage(app.ctx, cliActor, { id, name: id, access_token: `token-${id}` });
        const traffic = createTraffic(emu, {
          seed: 7,
          people: 25,
          pageIds,
          advanceClock: true,
          rates: {
            message: 60,
            quick_reply: 10,
            postback: 10,
            reaction: 8,
            read: 25,
            referral: 5,
            optin: 6,
            optout: 4,
            block: 1,
            unblock: 1,
          },
        });
        const schema =
          dialect === 'postgres'
            ? (await sql<{ s: string }>`select current_schema() as s`.execute(crashed.ctx.db)).rows[0]!.s
            : undefined;
        const cfg: CrashWorkerConfig = {
          dataDir: crashed.database.dataDir,
          databaseUrl: dialect === 'postgres' ? testPgUrl() : null,
          ...(schema && { schema }),
          masterKey: crashed.masterKey.toString('base64'),
          leaseMs: 250,
          seed,
        };
        try {
          let kills = 0;
          let workDone = 0;
          // The next worker starts while this one runs: process start-up dominates a round.
          // Each worker draws its batch sizes from its own seed, derived from the test's.
          const workerCfg = (n: number): CrashWorkerConfig => ({ ...cfg, seed: (seed + n) >>> 0 });
          let next = startWorker(workerCfg(0));
          for (let round = 0; round < ROUNDS; round++) {
            const worker = next;
            await worker.ready;
            worker.go();
            if (round + 1 < ROUNDS) next = startWorker(workerCfg(round + 1));
            const step = traffic.step(200);
            // Every other round waits until the worker has committed something, so that on a slow machine some kills
            // still land between commits of real work; then the kill comes at a random moment.
            if (round % 2 === 1)
              for (let waited = 0; worker.progress() === 0 && waited < 3000; waited += 10) await sleep(10);
            await sleep(Math.floor(random() * 150));
            worker.child.kill('SIGKILL');
            await worker.exited;
            await step;
            kills++;
            workDone += worker.progress();
          }
          await emu.flush();
          const finisher = startWorker(workerCfg(ROUNDS), true);
          assert.equal(await finisher.exited, 0);
          await drain(reference);
          assert.equal(kills, ROUNDS);
          assert.ok(workDone > 0, 'the killed workers did process deliveries between kills');
          const expected = await canonicalState(reference.ctx);
          assert.ok((expected.messages as unknown[]).length > 50, 'the traffic produced a real history');
          assert.deepEqual(await canonicalState(crashed.ctx), expected);
        } finally {
          emu.close();
          for (const app of apps) await app.close();
        }
      },
    );
  });
}
