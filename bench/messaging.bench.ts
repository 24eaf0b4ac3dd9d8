// Sends per second through the outbox dispatcher to the emulator (enqueue excluded; claim, policy re-check,
// decryption, rate limiter, Send API call and fenced result commit included), beside a raw HTTP loop sending the
// same bodies to the same emulator at the same concurrency. The emulator runs in its own process with its rate
// limits off. Run: node --import tsx bench/messaging.bench.ts   (BENCH_SENDS, default 2000 per scenario)
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../src/app/context.ts';
import { createMetrics } from '../src/app/metrics.ts';
import { loadConfig } from '../src/config/config.ts';
import { appSecretProof } from '../src/platform/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { systemClock } from '../src/lib/time.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { InboundHooks } from '../src/modules/ingest/hooks.ts';
import { initialiseKeys, openKeyring } from '../src/modules/keys/keyring-store.ts';
import { startDispatcher } from '../src/modules/messaging/dispatcher.ts';
import { enqueueSend } from '../src/modules/messaging/enqueue-send.ts';
import { registerPage } from '../src/modules/pages/register-page.ts';
import { openTestDatabase } from '../test/support/db.ts';
import { insertContact } from '../test/messaging/support.ts';
import { startRemoteEmulator, type RemoteEmulator } from '../test/messaging/remote-emulator.ts';

const SENDS = Number(process.env.BENCH_SENDS ?? 2000);
const CONCURRENCY = 32;
const CONTACTS = 100;
const SECRET = 'bench-secret';

interface Target { pageId: string; token: string; psid: string; contactId: string }

async function world(meta: RemoteEmulator, pages: number) {
  const database = await openTestDatabase('sqlite');
  const master = randomBytes(32);
  await initialiseKeys(database.db, master, Date.now());
  const config = loadConfig({ PAGESCOPE_DATA_DIR: database.dataDir, META_GRAPH_URL: meta.url, META_APP_SECRET: SECRET });
  const ctx: AppContext = { config, database, db: database.db, keyring: await openKeyring(database, master), logger: createLogger('warn'), clock: systemClock, metrics: createMetrics(), inboundHooks: new InboundHooks() };
  const targets: Target[] = [];
  for (let p = 0; p < pages; p++) {
    const page = await meta.createPage(`Bench ${p}`);
    await registerPage(ctx, cliActor, { id: page.id, name: `Bench ${p}`, access_token: page.access_token });
    for (let c = 0; c < CONTACTS / pages; c++) {
      const { psid } = await meta.createPerson(page.id, `B${c}`);
      targets.push({ pageId: page.id, token: page.access_token, psid, contactId: await insertContact(ctx, page.id, psid) });
    }
  }
  return { ctx, database, targets };
}

async function dispatcherRate(meta: RemoteEmulator, pages: number): Promise<number> {
  const { ctx, database, targets } = await world(meta, pages);
  await ctx.db.transaction().execute(async (trx) => {
    for (let i = 0; i < SENDS; i++) await enqueueSend(trx, ctx, { contactId: targets[i % targets.length]!.contactId, author: 'automation', message: { text: `bench ${i}` }, kind: 'text' });
  });
  const start = performance.now();
  const worker = startDispatcher(ctx, { concurrency: CONCURRENCY, rates: { text: 1_000_000 }, idleMs: 5 });
  for (;;) {
    const open = await ctx.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['queued', 'sending']).executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  await database.destroy();
  return SENDS / seconds;
}

async function rawRate(meta: RemoteEmulator, pages: number): Promise<number> {
  const { database, targets } = await world(meta, pages);
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < SENDS) {
      const i = next++;
      const t = targets[i % targets.length]!;
      const res = await fetch(`${meta.url}/v25.0/me/messages?appsecret_proof=${appSecretProof(t.token, SECRET)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ recipient: { id: t.psid }, messaging_type: 'RESPONSE', message: { text: `bench ${i}`, metadata: 'dl_01m8gx1rvqwddyy8h1jc00e7y4' } }),
      });
      if (res.status !== 200) throw new Error(`raw send failed: ${res.status} ${await res.text()}`);
      await res.text();
    }
  }));
  const rate = SENDS / ((performance.now() - start) / 1000);
  await database.destroy();
  return rate;
}

const meta = await startRemoteEmulator({ appSecret: SECRET, rateLimits: false, callLogLimit: 1000, policy: { echoes: false, deliveryReceipts: false } });
try {
  console.log(`messaging: ${SENDS} text sends per scenario, concurrency ${CONCURRENCY}, ${CONTACTS} contacts, SQLite, emulator in its own process`);
  for (const pages of [1, 20]) {
    // Warm both paths once, then measure raw, dispatcher, raw again and keep the better raw figure (the stricter baseline).
    await rawRate(meta, pages);
    const raw1 = await rawRate(meta, pages);
    const dispatched = await dispatcherRate(meta, pages);
    const raw2 = await rawRate(meta, pages);
    const raw = Math.max(raw1, raw2);
    console.log(`  ${String(pages).padStart(2)} Page(s): dispatcher ${dispatched.toFixed(0)} sends/s   raw HTTP loop ${raw.toFixed(0)} sends/s   ratio ${(dispatched / raw).toFixed(2)}`);
  }
} finally {
  await meta.close();
}
