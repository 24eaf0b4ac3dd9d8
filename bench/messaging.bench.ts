// Sends per second through the outbox dispatcher to the emulator (enqueue excluded; claim, policy re-check,
// decryption, rate limiter, Send API call and fenced result commit included), beside raw HTTP loops sending the same
// bodies to the same emulator at the same concurrency over keep-alive connections. The emulator runs in its own
// process with its rate limits off; our own per-Page limit is set out of reach. Each figure is the median of
// BENCH_ROUNDS (3) interleaved runs of BENCH_SENDS (4000) sends. Run: npm run bench -- messaging
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createContext } from '../src/kernel/context.ts';
import { loadConfig } from '../src/config/config.ts';
import { appSecretProof } from '../src/platform/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { systemClock } from '../src/lib/time.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { initialiseKeys, openKeyring } from '../src/modules/keys/keyring-store.ts';
import { startDispatcher } from '../src/modules/messaging/dispatcher.ts';
import { enqueueSend } from '../src/modules/messaging/enqueue-send.ts';
import { registerPage } from '../src/modules/pages/register-page.ts';
import { openTestDatabase } from '../test/support/db.ts';
import { insertContact } from '../test/messaging/support.ts';
import { startRemoteEmulator, type RemoteEmulator } from '../test/messaging/remote-emulator.ts';

const SENDS = Number(process.env.BENCH_SENDS ?? 4000);
const CONCURRENCY = 32;
const CONTACTS = 100;
const SECRET = 'bench-secret';

interface Target {
  pageId: string;
  token: string;
  psid: string;
  contactId: string;
}

async function world(meta: RemoteEmulator, pages: number) {
  const database = await openTestDatabase('sqlite');
  const master = randomBytes(32);
  await initialiseKeys(database.db, master, Date.now());
  const config = loadConfig({
    PAGESCOPE_DATA_DIR: database.dataDir,
    META_GRAPH_URL: meta.url,
    META_APP_SECRET: SECRET,
  });
  const ctx = createContext({
    config,
    database,
    keyring: await openKeyring(database, master),
    logger: createLogger('warn'),
    clock: systemClock,
  });
  const targets: Target[] = [];
  for (let p = 0; p < pages; p++) {
    const page = await meta.createPage(`Bench ${p}`);
    await registerPage(ctx, cliActor, { id: page.id, name: `Bench ${p}`, access_token: page.access_token });
    for (let c = 0; c < CONTACTS / pages; c++) {
      const { psid } = await meta.createPerson(page.id, `B${c}`);
      targets.push({
        pageId: page.id,
        token: page.access_token,
        psid,
        contactId: await insertContact(ctx, page.id, psid),
      });
    }
  }
  return { ctx, database, targets };
}

async function dispatcherRate(meta: RemoteEmulator, pages: number): Promise<number> {
  const { ctx, database, targets } = await world(meta, pages);
  await ctx.db.transaction().execute(async (trx) => {
    for (let i = 0; i < SENDS; i++)
      await enqueueSend(trx, ctx, {
        contactId: targets[i % targets.length]!.contactId,
        author: 'automation',
        message: { text: `bench ${i}` },
        kind: 'text',
      });
  });
  const start = performance.now();
  const worker = startDispatcher(ctx, { concurrency: CONCURRENCY, rates: { text: 1_000_000 }, idleMs: 5 });
  for (;;) {
    const open = await ctx.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['queued', 'sending'])
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  await ctx.close();
  await database.destroy();
  return SENDS / seconds;
}

// The baselines: the same bodies to the same emulator at the same concurrency over keep-alive HTTP, with nothing
// around them. `node:http` is the client the Graph client uses (a keep-alive agent, one connection per concurrent
// call), so its ratio is what the outbox, policy, crypto and commits cost; `fetch` is the loop this benchmark used
// before the Graph client left fetch, kept so that figures stay comparable across versions.
type RawClient = 'node:http' | 'fetch';

async function rawRate(meta: RemoteEmulator, pages: number, client: RawClient): Promise<number> {
  const { ctx, database, targets } = await world(meta, pages);
  const url = new URL(meta.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const bodyOf = (t: Target, i: number) =>
    JSON.stringify({
      recipient: { id: t.psid },
      messaging_type: 'RESPONSE',
      message: { text: `bench ${i}`, metadata: 'dl_01m8gx1rvqwddyy8h1jc00e7y4' },
    });
  const headersOf = (t: Target) => ({
    authorization: `Bearer ${t.token}`,
    accept: 'application/json',
    'content-type': 'application/json',
  });
  const path = (t: Target) => `/v25.0/me/messages?appsecret_proof=${appSecretProof(t.token, SECRET)}`;
  const viaHttp = (t: Target, i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(bodyOf(t, i));
      const req = http.request(
        {
          hostname: url.hostname,
          port: url.port,
          method: 'POST',
          path: path(t),
          headers: { ...headersOf(t), 'content-length': body.length },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`raw send failed: ${res.statusCode} ${text}`));
            else resolve(void JSON.parse(text));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const viaFetch = async (t: Target, i: number) => {
    const res = await fetch(`${meta.url}${path(t)}`, { method: 'POST', headers: headersOf(t), body: bodyOf(t, i) });
    if (res.status !== 200) throw new Error(`raw send failed: ${res.status} ${await res.text()}`);
    JSON.parse(await res.text());
  };
  const post = client === 'fetch' ? viaFetch : viaHttp;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SENDS) {
        const i = next++;
        await post(targets[i % targets.length]!, i);
      }
    }),
  );
  const rate = SENDS / ((performance.now() - start) / 1000);
  agent.destroy();
  await ctx.close();
  await database.destroy();
  return rate;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const meta = await startRemoteEmulator({
  appSecret: SECRET,
  rateLimits: false,
  callLogLimit: 1000,
  policy: { echoes: false, deliveryReceipts: false },
});
try {
  console.log(
    `messaging: ${SENDS} text sends per run, concurrency ${CONCURRENCY}, ${CONTACTS} contacts, SQLite, emulator in its own process, median of ${ROUNDS} interleaved runs`,
  );
  for (const pages of [1, 20]) {
    // Warm every path once, then interleave the three measurements ROUNDS times (the machine's load changes over a
    // run) and report each one's median.
    await rawRate(meta, pages, 'node:http');
    await rawRate(meta, pages, 'fetch');
    await dispatcherRate(meta, pages);
    const runs: Record<'dispatcher' | RawClient, number[]> = { dispatcher: [], 'node:http': [], fetch: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs['node:http'].push(await rawRate(meta, pages, 'node:http'));
      runs.dispatcher.push(await dispatcherRate(meta, pages));
      runs.fetch.push(await rawRate(meta, pages, 'fetch'));
    }
    const [d, h, f] = [median(runs.dispatcher), median(runs['node:http']), median(runs.fetch)];
    console.log(
      `  ${String(pages).padStart(2)} Page(s): dispatcher ${d.toFixed(0)} sends/s   raw loop node:http ${h.toFixed(0)} (ratio ${(d / h).toFixed(2)})   raw loop fetch ${f.toFixed(0)} (ratio ${(d / f).toFixed(2)})`,
    );
  }
} finally {
  await meta.close();
}
