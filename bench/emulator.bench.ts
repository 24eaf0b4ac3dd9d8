// Emulator throughput, each figure beside a baseline from the same run:
// 1. Send API over HTTP (validated calls/s) vs a bare node:http server answering the same requests;
// 2. signed webhook events/s (build + serialise + sign + hand to the transport) vs a raw JSON.stringify+HMAC loop.
// The load generator runs in its own process so it does not share the server's event loop: wrk (C, Debian's `wrk`
// package) when it is installed, since it spends far less of the shared cores than the server it loads; otherwise
// autocannon (node). BENCH_LOAD=autocannon forces autocannon.
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { runWrk, wrkAvailable } from './wrk.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createEmulator, startEmulatorServer } from '../src/emulator/index.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const CONNECTIONS = 64;
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Load {
  rps: number;
  non2xx: number;
  errors: number;
  p99: number;
}

function median(loads: Load[]): Load {
  return [...loads].sort((a, b) => a.rps - b.rps)[Math.floor(loads.length / 2)]!;
}

/** wrk posting the same body on every request. */
async function wrk(url: string, body: string): Promise<Load> {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    return await runWrk({ url, script, connections: CONNECTIONS, seconds: DURATION_S });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function load(url: string, body: string): Promise<Load> {
  return wrkAvailable && PIPELINING === 1 ? wrk(url, body) : autocannon(url, body);
}

function autocannon(url: string, body: string): Promise<Load> {
  return new Promise((resolve, reject) => {
    const bin = join(root, 'node_modules', 'autocannon', 'autocannon.js');
    const args = [
      bin,
      '-c',
      String(CONNECTIONS),
      '-p',
      String(PIPELINING),
      '-d',
      String(DURATION_S),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      body,
      '--json',
      url,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(out) as {
          requests: { average: number };
          non2xx: number;
          errors: number;
          latency: { p99: number };
        };
        resolve({ rps: r.requests.average, non2xx: r.non2xx, errors: r.errors, p99: r.latency.p99 });
      } catch (err) {
        reject(err);
      }
    });
  });
}

async function sendApi(): Promise<void> {
  const server = await startEmulatorServer({ rateLimits: false, clockMode: 'frozen', seed: 'bench' });
  const emu = server.emulator;
  const page = emu.createPage({ name: 'Bench' });
  const user = emu.createUser({ first_name: 'Bench', last_name: 'User' });
  const psid = (await emu.act(user.id, page.id, { type: 'message', text: 'hi' })).psid!;
  const body = JSON.stringify({
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    message: { text: 'Your order has shipped 📦' },
  });
  const check = await fetch(`${server.url}/v25.0/me/messages?access_token=${page.access_token}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  if (check.status !== 200) throw new Error(`emulator refused the benchmark request: ${await check.text()}`);

  const answer = JSON.stringify({ recipient_id: psid, message_id: `m_${'x'.repeat(86)}` });
  const bare = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      JSON.parse(raw);
      res.writeHead(200, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(answer),
      });
      res.end(answer);
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v25.0/me/messages`;

  // Alternate baseline and emulator runs so that load from other processes hits both alike; report medians.
  const bases: Load[] = [];
  const emus: Load[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bases.push(await load(bareUrl, body));
    emus.push(await load(`${server.url}/v25.0/me/messages?access_token=${page.access_token}`, body));
  }
  const inProcess = await inProcessSends(emu, page.access_token, body, answer);
  bare.close();
  await server.close();
  const base = median(bases);
  const emuLoad = median(emus);
  const ok = emus.every((l) => l.non2xx === 0 && l.errors === 0);
  console.log(
    `Send API (HTTP, ${CONNECTIONS} connections, pipelining ${PIPELINING}, load from ${wrkAvailable && PIPELINING === 1 ? 'wrk' : 'autocannon'}, median of ${ROUNDS} alternating ${DURATION_S}s runs)`,
  );
  console.log(`  baseline bare node:http + JSON.parse : ${base.rps.toFixed(0)} req/s (p99 ${base.p99} ms)`);
  console.log(
    `  emulator, validated sends            : ${emuLoad.rps.toFixed(0)} calls/s (p99 ${emuLoad.p99} ms; every answer 200: ${ok ? 'yes' : 'NO'})`,
  );
  console.log(
    `  ratio emulator/baseline              : ${(emuLoad.rps / base.rps).toFixed(2)}  target ≥ 10000 calls/s: ${ok && emuLoad.rps >= 10_000 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `  handler alone, in-process            : ${inProcess[0].toFixed(0)} calls/s beside ${inProcess[1].toFixed(0)} parse+stringify/s (ratio ${(inProcess[0] / inProcess[1]).toFixed(2)})`,
  );
}

/** The Send API handler alone (no sockets) beside JSON.parse of the request + JSON.stringify of an answer. */
async function inProcessSends(
  emu: ReturnType<typeof createEmulator>,
  token: string,
  body: string,
  answer: string,
): Promise<[number, number]> {
  const N = 20_000;
  const parsed = JSON.parse(answer) as unknown;
  const emuRates: number[] = [];
  const baseRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await emu.graph({ method: 'POST', path: '/v25.0/me/messages', query: { access_token: token }, body });
      if (r.status !== 200) throw new Error('refused');
    }
    emuRates.push((N / (performance.now() - t)) * 1000);
    t = performance.now();
    for (let i = 0; i < N; i++) {
      JSON.parse(body);
      await Promise.resolve(JSON.stringify(parsed));
    }
    baseRates.push((N / (performance.now() - t)) * 1000);
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  return [mid(emuRates), mid(baseRates)];
}

async function webhookEvents(): Promise<void> {
  const PER_ROUND = 20_000;
  const secret = 'bench-secret';
  let posted = 0;
  const emu = createEmulator({
    appSecret: secret,
    clockMode: 'frozen',
    rateLimits: false,
    seed: 'bench',
    webhookUrl: 'http://sink/webhook',
    delivery: { concurrency: 256, logLimit: 1000 },
    transport: async () => {
      posted++;
      return { status: 200, body: '' };
    },
  });
  const pages = [emu.createPage({ name: 'A' }), emu.createPage({ name: 'B' })];
  const users = Array.from({ length: 100 }, (_, i) =>
    emu.createUser({ first_name: `Person${i}`, last_name: 'Ørsted' }),
  );
  const texts = ['Hi!', 'Où est ma commande ?', 'Thanks 🙏', 'https://example.com/order/42'];
  let n = 0;
  const act = () => {
    const i = n++;
    return emu.act(users[i % users.length]!.id, pages[i % 2]!.id, { type: 'message', text: texts[i % texts.length]! });
  };
  const emulatorRound = async (): Promise<number> => {
    const before = posted;
    const t0 = performance.now();
    for (let i = 0; i < PER_ROUND; i += 500) await Promise.all(Array.from({ length: 500 }, act));
    await emu.flush();
    return ((posted - before) / (performance.now() - t0)) * 1000;
  };
  const item = {
    sender: { id: '1146600205738123' },
    recipient: { id: '544213423282588' },
    timestamp: 1795824000000,
    message: { mid: `m_${'x'.repeat(86)}`, text: 'Thanks 🙏' },
  };
  let sink = 0;
  const baselineRound = (): number => {
    const t1 = performance.now();
    for (let i = 0; i < PER_ROUND; i++) {
      const body = JSON.stringify({
        object: 'page',
        entry: [{ id: '544213423282588', time: 1795824000000 + i, messaging: [item] }],
      });
      sink +=
        createHmac('sha256', secret).update(body).digest('hex').length +
        createHmac('sha1', secret).update(body).digest('hex').length;
    }
    return (PER_ROUND / (performance.now() - t1)) * 1000;
  };
  await emulatorRound(); // warm-up
  baselineRound();
  const bases: number[] = [];
  const emus: number[] = [];
  for (let round = 0; round < 5; round++) {
    bases.push(baselineRound());
    emus.push(await emulatorRound());
  }
  if (sink === 0) throw new Error('unreachable');
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [baseRate, emuRate] = [mid(bases), mid(emus)];
  console.log(
    `Signed webhook events (in-process: person acts → event → Meta serialisation → sha256+sha1 → transport), median of 5 alternating rounds of ${PER_ROUND}`,
  );
  console.log(`  baseline JSON.stringify + 2 HMAC loop : ${baseRate.toFixed(0)} events/s`);
  console.log(
    `  emulator                              : ${emuRate.toFixed(0)} events/s (rounds: ${emus.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `  ratio emulator/baseline               : ${(emuRate / baseRate).toFixed(2)}  target ≥ 20000 events/s: ${emuRate >= 20_000 ? 'met' : 'NOT met'}`,
  );
}

// Each part runs in a fresh process so that one part's heap and leftover load do not slow the other.
const part = process.env.BENCH_PART;
if (part === 'events') await webhookEvents();
else if (part === 'send') await sendApi();
else {
  for (const p of ['events', 'send']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PART: p },
    });
    if (r.status !== 0) process.exitCode = 1;
  }
}
