// kill -9 of the dispatcher at random moments during thousands of sends to the emulator: nothing is lost, only
// sends in flight at a kill may be repeated, and a send whose result was committed is never sent again.
// PAGESCOPE_CRASH_SENDS (default 2000; the emulator answers ~370 sends/s on this class of machine, so 10000 takes minutes) and PAGESCOPE_CRASH_ROUNDS (default 20) scale it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { systemClock } from '../../src/lib/time.ts';
import { createMetrics } from '../../src/app/metrics.ts';
import type { AppContext } from '../../src/app/context.ts';
import { InboundHooks } from '../../src/modules/ingest/hooks.ts';
import { initialiseKeys, openKeyring } from '../../src/modules/keys/keyring-store.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { enqueueSend } from '../../src/modules/messaging/enqueue-send.ts';
import { openTestDatabase } from '../support/db.ts';
import { insertContact } from './support.ts';
import { startRemoteEmulator } from './remote-emulator.ts';

const SENDS = Number(process.env.PAGESCOPE_CRASH_SENDS ?? 2_000);
const ROUNDS = Number(process.env.PAGESCOPE_CRASH_ROUNDS ?? 20);
const PAGES = 4;
const CONTACTS_PER_PAGE = 50;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

test(`kill -9 of the dispatcher during ${SENDS} sends, ${ROUNDS} times: nothing lost, no committed send repeated`, { timeout: 180_000 }, async () => {
  const meta = await startRemoteEmulator({ seed: 'crash', appSecret: 'crash-secret', callLogLimit: SENDS * 3, policy: { echoes: false, deliveryReceipts: false } });
  const database = await openTestDatabase('sqlite');
  const masterKey = randomBytes(32);
  await initialiseKeys(database.db, masterKey, Date.now());
  const keyring = await openKeyring(database, masterKey);
  const config = loadConfig({ PAGESCOPE_DATA_DIR: database.dataDir, META_GRAPH_URL: meta.url, META_APP_SECRET: 'crash-secret' });
  const ctx: AppContext = { config, database, db: database.db, keyring, logger: createLogger('warn'), clock: systemClock, metrics: createMetrics(), inboundHooks: new InboundHooks() };
  try {
    const contacts: string[] = [];
    for (let p = 0; p < PAGES; p++) {
      const page = await meta.createPage(`Crash ${p}`);
      await registerPage(ctx, cliActor, { id: page.id, name: `Crash ${p}`, access_token: page.access_token });
      for (let c = 0; c < CONTACTS_PER_PAGE; c++) contacts.push(await insertContact(ctx, page.id, (await meta.createPerson(page.id, `C${c}`)).psid));
    }
    const t0 = Date.now();
    for (let start = 0; start < SENDS; start += 500) {
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = start; i < Math.min(SENDS, start + 500); i++) {
          const r = await enqueueSend(trx, ctx, { contactId: contacts[i % contacts.length]!, author: 'automation', message: { text: `n${i}` }, kind: 'text' });
          assert.equal(r.outcome, 'queued');
        }
      });
    }

    if (process.env.CRASH_DEBUG) console.log(`enqueued in ${Date.now() - t0} ms`);
    const env = { ...process.env, PAGESCOPE_DATA_DIR: database.dataDir, PAGESCOPE_MASTER_KEY: masterKey.toString('base64'), META_GRAPH_URL: meta.url, META_APP_SECRET: 'crash-secret', LOG_LEVEL: 'warn' };
    const accepted = async () => {
      const counts = new Map<string, number>();
      for (const c of await meta.calls()) {
        const id = c.params.message?.metadata;
        if (c.status === 200 && id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    const statuses = async () => new Map((await ctx.db.selectFrom('deliveries').select(['id', 'status', 'lease_owner']).execute()).map((r) => [r.id, r]));
    const kills: { inFlight: Set<string>; committed: Map<string, number> }[] = [];

    for (let round = 0; round <= ROUNDS; round++) {
      const last = round === ROUNDS;
      const workerId = `crash-${round}`;
      const child = spawn(process.execPath, [...(process.env.CRASH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : []), '--import', 'tsx', CHILD], { env: { ...env, CRASH_WORKER_ID: workerId }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
        child.once('exit', () => reject(new Error('the dispatcher exited before it was ready')));
      });
      if (last) {
        // The final instance runs until the outbox is empty, then must stop cleanly on SIGTERM.
        for (;;) {
          const open = await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['queued', 'sending']).executeTakeFirstOrThrow();
          if (Number(open.n) === 0) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        child.kill('SIGTERM');
        assert.equal(await exited, 0, 'SIGTERM drains and exits 0');
        break;
      }
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1700));
      child.kill('SIGKILL');
      await exited;
      await new Promise((r) => setTimeout(r, 30));
      const now = await statuses();
      const counts = await accepted();
      const inFlight = new Set([...now.values()].filter((r) => r.status === 'sending' && r.lease_owner === workerId).map((r) => r.id));
      const committed = new Map([...now.values()].filter((r) => r.status === 'sent').map((r) => [r.id, counts.get(r.id) ?? 0]));
      kills.push({ inFlight, committed });
      if (process.env.CRASH_DEBUG) console.log(`kill ${round}: ${inFlight.size} in flight, ${committed.size} sent`);
    }

    const final = await statuses();
    const counts = await accepted();
    const lost = [...final.keys()].filter((id) => final.get(id)!.status !== 'sent' || !counts.has(id));
    assert.deepEqual(lost, [], 'every delivery was sent and Meta received it');
    assert.equal(final.size, SENDS);
    let duplicates = 0;
    for (const [id, n] of counts) {
      if (n <= 1) continue;
      duplicates += n - 1;
      const killsInFlight = kills.filter((k) => k.inFlight.has(id)).length;
      assert.ok(n - 1 <= killsInFlight, `${id} was repeated ${n - 1} times but in flight at only ${killsInFlight} kills`);
    }
    for (const [k, kill] of kills.entries()) {
      for (const [id, n] of kill.committed) assert.equal(counts.get(id), n, `kill ${k}: ${id} was sent again after its result was committed`);
    }
    const inFlightTotal = kills.reduce((s, k) => s + k.inFlight.size, 0);
    const perKill = kills.map((k) => [...k.inFlight].filter((id) => (counts.get(id) ?? 0) > 1).length);
    assert.ok(perKill.every((d, i) => d <= kills[i]!.inFlight.size));
    console.log(`crash: ${SENDS} sends, ${kills.length} kills, ${inFlightTotal} sends in flight at kills, ${duplicates} duplicates (max ${Math.max(...perKill)} per kill), 0 lost`);
  } finally {
    await database.destroy();
    await meta.close();
  }
});
