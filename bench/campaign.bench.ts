// A 100,000-recipient campaign through the real `serve` (all roles, the bin as a user runs it, on a data dir of its
// own) against the Messenger Platform emulator with Meta's rate limits on. Measured while it runs: the pace the
// emulator accepts each second beside the configured `max_per_second`, the server's RSS every second, and an agent's
// reply every second through the REST API, timed from the API call to the emulator receiving its Send API call;
// the baseline is the same replies with no campaign running, in the same run. The start is timed too: the API call
// (which only marks the campaign `starting`), then the freeze of the 100,000 in batches by the sender (from the
// campaign's `started_at` to its `audience_frozen_at`), and the agents' replies sent while it went on (one 0.5 s
// into the start, then the replies each second until it ended).
//
// The Page's people: 100,000 contacts imported with `pagescope import contacts` (names and PSIDs encrypted by the
// contact layer, as any import), then their last message set 10 minutes ago (the 24-hour window open) in one update
// of those plain columns, as the inbound path would have left them, and their profile marked fetched (as it would be
// for people who wrote in: no 100,000 profile fetches during the measurement). The emulator's world holds the same
// people with the same PSIDs and open windows, so that Meta's own window and rate rules apply to every send.
//
// Run: npm run bench -- campaign
// BENCH_CAMPAIGN_CONTACTS (100000), BENCH_CAMPAIGN_RATE (the campaign's max_per_second, 200),
// BENCH_CAMPAIGN_SECONDS (how long the running campaign is measured, 120; the whole 100k at 200/s is 500 s),
// BENCH_CAMPAIGN_BASELINE_REPLIES (agent replies with no campaign running, 30), BENCH_CAMPAIGN_PROFILE (a directory:
// a CPU profile of each server thread). The server inherits the environment: PAGESCOPE_PROCESSING_NICE=0 on a machine
// other jobs keep busy (the default nice 10 of the thread that runs the sender and the dispatcher starves there).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { openApp } from '../src/app/bootstrap.ts';
import { startEmulatorServer } from '../src/emulator/index.ts';
import type { WorldSnapshot } from '../src/emulator/world.ts';
import { buildState } from '../bin/build-state.js';
import { FREEZE_BATCH } from '../src/modules/campaigns/freeze-audience.ts';
import { BIN, exitOf, runCliOk, startServe } from '../test/support/cli.ts';
import { percentile } from './support.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONTACTS = Number(process.env.BENCH_CAMPAIGN_CONTACTS ?? 100_000);
const RATE = Number(process.env.BENCH_CAMPAIGN_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 120);
const BASELINE_REPLIES = Number(process.env.BENCH_CAMPAIGN_BASELINE_REPLIES ?? 30);
const SECRET = 'bench-campaign-secret';
const VERIFY = 'bench-verify';
const WINDOW_OPENED_MS_AGO = 10 * 60_000;
const PSID_BASE = 7_100_000_000_000_000;
const PERSON_BASE = 10_000_000_000_000_000n;
/** The agent's replies go to the last people of the audience: the campaign reaches them last, if at all. */
const REPLY_POOL = 2000;

interface Call {
  id: number;
  at: number;
  method: string;
  path: string;
  status: number;
  params: { recipient?: { id?: string }; message?: { metadata?: string }; messaging_type?: string };
}

/** When an agent's reply was sent: with no campaign, while the audience is frozen, while the campaign runs. */
type Phase = 'baseline' | 'freeze' | 'campaign';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** `pagescope serve` (all roles) as startServe starts it, with node's CPU profiler on in each of its threads. */
async function startProfiledServe(env: Record<string, string>, dir: string) {
  const child = spawn(
    process.execPath,
    [`--cpu-prof`, `--cpu-prof-dir=${dir}`, BIN, 'serve', '--host', '127.0.0.1', '--port', '0'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  while (
    (await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  )
    await sleep(100);
  return { url, child };
}

async function main(): Promise<void> {
  if (buildState() !== 'fresh')
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-bench-campaign-'));

  // The emulator, in this process (it answers a few hundred calls a second; the server has the rest of the machine),
  // with Meta's limits: 300 text calls a second per Page, the 24-hour window, echoes and delivery receipts.
  const emulator = await startEmulatorServer({
    appSecret: SECRET,
    verifyToken: VERIFY,
    webhookUrl: 'http://127.0.0.1:9/webhook',
    callLogLimit: 100_000,
    seed: 'campaign-bench',
  });
  const emu = emulator.emulator;
  const page = emu.createPage({ name: 'Bench shop' });
  const now = Date.now();
  const psidOf = (i: number) => String(PSID_BASE + i);
  const world: WorldSnapshot = {
    version: 1,
    person_count: CONTACTS,
    people: [],
    threads: [],
    retired: {},
    marketing_tokens: [],
  };
  for (let i = 0; i < CONTACTS; i++) {
    const id = String(PERSON_BASE + BigInt(i));
    world.people.push({
      id,
      first_name: `Ana${i}`,
      last_name: 'Silva',
      locale: 'en_US',
      timezone: 0,
      gender: 'female',
      no_profile: false,
    });
    world.threads.push({
      page_id: page.id,
      person_id: id,
      psid: psidOf(i),
      last_user_action_at: now - WINDOW_OPENED_MS_AGO,
      blocked: false,
      linked: false,
      owner: null,
      owner_expires_at: 0,
    });
  }
  emu.loadWorld(world);

  const env: Record<string, string> = {
    PAGESCOPE_DATA_DIR: join(dir, 'data'),
    META_APP_SECRET: SECRET,
    META_VERIFY_TOKEN: VERIFY,
    META_GRAPH_URL: emulator.url,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  let child: Awaited<ReturnType<typeof startServe>>['child'] | null = null;
  try {
    const token = (JSON.parse(await runCliOk(['init', '--json'], env)) as { owner_token: string }).owner_token;
    await runCliOk(['pages', 'add', '--id', page.id, '--name', 'Bench shop', '--token', '-'], env, page.access_token);

    // The people, through the product's import (contact layer: each contact's own key, PSID and names sealed).
    const csv = join(dir, 'contacts.csv');
    const lines = ['psid,first_name,last_name,locale'];
    for (let i = 0; i < CONTACTS; i++) lines.push(`${psidOf(i)},Ana${i},Silva,en_US`);
    writeFileSync(csv, lines.join('\n') + '\n');
    let t = performance.now();
    const imported = JSON.parse(await runCliOk(['import', 'contacts', csv, '--page', page.id, '--json'], env)) as {
      imported: number;
      rejected: number;
    };
    const importS = (performance.now() - t) / 1000;
    if (imported.imported !== CONTACTS) throw new Error(`imported ${imported.imported} of ${CONTACTS}`);
    const ctx = await openApp(loadConfig(env), { env });
    const opened = now - WINDOW_OPENED_MS_AGO;
    await ctx.db
      .updateTable('contacts')
      .set({
        last_user_action_at: opened,
        last_inbound_at: opened,
        last_seen_at: opened,
        profile_status: 'ok',
        profile_fetched_at: opened,
        profile_next_at: now + 7 * 86_400_000,
      })
      .where('page_id', '=', page.id)
      .execute();
    // The contacts the agent answers: the last ones imported (ids grow with time), which the campaign reaches last.
    const replyTo = (
      await ctx.db
        .selectFrom('contacts')
        .select('id')
        .where('page_id', '=', page.id)
        .orderBy('id', 'desc')
        .limit(REPLY_POOL)
        .execute()
    ).map((r) => r.id);
    await ctx.close();
    console.log(
      `seeded ${CONTACTS.toLocaleString('en')} contacts with an open window: \`pagescope import contacts\` in ${importS.toFixed(1)} s`,
    );

    // BENCH_CAMPAIGN_PROFILE=<dir>: the server writes a CPU profile of each of its threads there when it stops.
    const profile = process.env.BENCH_CAMPAIGN_PROFILE;
    const served = profile ? await startProfiledServe(env, profile) : await startServe(env, 120_000);
    child = served.child;
    const url = served.url;
    const pid = child.pid!;
    const handshake = await emu.setWebhook(`${url}/webhook`, VERIFY);
    if (!handshake.ok) console.log(`webhook handshake: ${JSON.stringify(handshake)}`);

    const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as T };
    };

    // The emulator's Graph call log, read through its control API as it grows.
    let lastCall = 0;
    const calls = async (): Promise<Call[]> => {
      const out: Call[] = [];
      for (;;) {
        const res = await fetch(`${emulator.url}/_emulator/calls?since_id=${lastCall}`);
        const page = ((await res.json()) as { data: Call[] }).data;
        if (page.length === 0) return out;
        out.push(...page);
        lastCall = page[page.length - 1]!.id;
        if (page.length < 1000) return out;
      }
    };
    const isSend = (c: Call) => c.method === 'POST' && /\/messages$/.test(c.path);

    // Agent replies: each to a different contact; timed from the API call to the emulator's record of the send.
    let nextReply = 0;
    const replyPhase = new Map<string, Phase>();
    const replyStarted = new Map<string, number>();
    const latencies: Record<Phase, number[]> = { baseline: [], freeze: [], campaign: [] };
    /** Replies after the start, with when each was sent: split at the freeze's end once it is known. */
    const afterStart: { at: number; ms: number }[] = [];
    /** The reply sent 0.5 s into the start. */
    let firstReply: { at: number; ms: number } | undefined;
    const refused: string[] = [];
    const reply = async (phase: Phase) => {
      const contact = replyTo[nextReply++ % replyTo.length]!;
      const at = Date.now();
      const r = await api<{ delivery?: { id: string }; error?: { message: string } }>(
        'POST',
        `/contacts/${contact}/messages`,
        { text: 'Hi! Anna from the shop here: your parcel left this morning.', author: 'agent' },
      );
      if (r.status !== 202 || !r.json.delivery) refused.push(`${r.status} ${JSON.stringify(r.json)}`);
      else {
        replyStarted.set(r.json.delivery.id, at);
        replyPhase.set(r.json.delivery.id, phase);
      }
    };
    const perSecond = new Map<number, number>();
    let campaignSends = 0;
    let firstCampaignSendAt = 0;
    let rateLimited = 0;
    const absorb = (cs: Call[], phase: Phase) => {
      for (const c of cs) {
        if (!isSend(c)) continue;
        const meta = c.params.message?.metadata;
        const started = meta ? replyStarted.get(meta) : undefined;
        if (started !== undefined) {
          const replyPhaseOf = replyPhase.get(meta!) ?? phase;
          if (replyPhaseOf === 'baseline') latencies.baseline.push(c.at - started);
          else afterStart.push({ at: started, ms: c.at - started });
          if (replyPhaseOf === 'freeze') firstReply = { at: started, ms: c.at - started };
          replyStarted.delete(meta!);
          continue;
        }
        if (c.status === 200 && c.params.messaging_type === 'UPDATE') {
          campaignSends++;
          firstCampaignSendAt ||= c.at;
          const s = Math.floor(c.at / 1000);
          perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
        } else if (c.status !== 200) rateLimited++;
      }
    };
    const replyEverySecond = async (phase: Phase, count: number, each?: (i: number) => void) => {
      const start = Date.now();
      for (let i = 0; i < count; i++) {
        const due = start + i * 1000;
        await sleep(Math.max(0, due - Date.now()));
        each?.(i);
        await reply(phase);
        absorb(await calls(), phase);
      }
    };

    // Warm-up (code compiled, statements prepared), then the baseline with no campaign.
    await replyEverySecond('baseline', 3);
    await sleep(1500);
    absorb(await calls(), 'baseline');
    latencies.baseline.length = 0;
    await replyEverySecond('baseline', BASELINE_REPLIES);
    await sleep(1500);
    absorb(await calls(), 'baseline');
    const rssIdle = rssMb(pid);

    const created = await api<{ id: string }>('POST', `/pages/${page.id}/campaigns`, {
      name: 'Winter sale',
      kind: 'standard',
      filter: { all: [] },
      message: { text: 'Hi {{contact.first_name|there}}! Our winter sale starts today: 20 % off everything.' },
      max_per_second: RATE,
    });
    if (created.status !== 201)
      throw new Error(`campaign not created: ${created.status} ${JSON.stringify(created.json)}`);
    const campaignId = created.json.id;
    t = performance.now();
    const startedAt = Date.now();
    const started = await api<{ status: string }>('POST', `/campaigns/${campaignId}/start`);
    const startMs = performance.now() - t;
    if (started.status !== 200)
      throw new Error(`campaign not started: ${started.status} ${JSON.stringify(started.json)}`);
    // An agent's reply half a second into the start, while the sender freezes the audience.
    await sleep(Math.max(0, startedAt + 500 - Date.now()));
    await reply('freeze');

    const rss: number[] = [];
    const cpu0 = cpuSeconds(pid);
    const load0 = loadavg()[0]!;
    await replyEverySecond('campaign', SECONDS, () => rss.push(rssMb(pid)));
    const cpuS = cpuSeconds(pid) - cpu0;
    const load1 = loadavg()[0]!;
    await sleep(1500);
    absorb(await calls(), 'campaign');
    const after = (
      await api<{
        started_at: string | null;
        audience_frozen_at: string | null;
        stats: { recipients: number } & Record<string, unknown>;
      }>('GET', `/campaigns/${campaignId}`)
    ).json;
    const stats = after.stats;
    await api('POST', `/campaigns/${campaignId}/cancel`);
    // The freeze, by the server's own times; replies sent before its end were sent while it went on.
    const frozenAt = after.audience_frozen_at ? Date.parse(after.audience_frozen_at) : Infinity;
    const freezeS = after.audience_frozen_at ? (frozenAt - Date.parse(after.started_at!)) / 1000 : null;
    const batches = Math.floor(stats.recipients / FREEZE_BATCH) + 1;
    for (const r of afterStart) latencies[r.at < frozenAt ? 'freeze' : 'campaign'].push(r.ms);

    // The achieved pace: sends accepted per whole second, from the first campaign send to the end of the window.
    const first = Math.floor(firstCampaignSendAt / 1000);
    const last = Math.floor((startedAt + SECONDS * 1000) / 1000) - 1;
    const seconds: number[] = [];
    for (let s = first + 1; s < last; s++) seconds.push(perSecond.get(s) ?? 0);
    const mean = seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length);
    const ms = (xs: number[], p: number) => (xs.length ? percentile(xs, p).toFixed(0) : '–');
    const max = (xs: number[]) => (xs.length ? Math.max(...xs).toFixed(0) : '–');
    const mid = rss[Math.floor(rss.length / 2)]!;
    const end = rss[rss.length - 1]!;
    const rssFirst = rss[Math.min(rss.length - 1, 5)]!;

    console.log(
      `campaign of ${CONTACTS.toLocaleString('en')} recipients, measured for ${SECONDS} s of its run, processing thread at nice ${process.env.PAGESCOPE_PROCESSING_NICE ?? '10 (the default; PAGESCOPE_PROCESSING_NICE sets it)'} (the whole run at ${RATE}/s would be ${Math.ceil(CONTACTS / RATE)} s; BENCH_CAMPAIGN_SECONDS sets the window); load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end (machine shared)`,
    );
    console.log(
      `start: POST …/start answered in ${startMs.toFixed(0)} ms (status ${started.json.status}); the freeze of ${stats.recipients.toLocaleString('en')} recipients took ${freezeS === null ? `more than the ${SECONDS} s window` : `${freezeS.toFixed(1)} s`} in ${batches} batches of ${FREEZE_BATCH}; first send at the emulator ${firstCampaignSendAt ? firstCampaignSendAt - startedAt : '–'} ms after the call`,
    );
    console.log(
      `pace: configured ${RATE}/s, achieved mean ${mean.toFixed(1)}/s (ratio ${(mean / RATE).toFixed(3)}), p5 per second ${ms(seconds, 5)}/s, min ${seconds.length ? Math.min(...seconds) : '–'}/s, max ${max(seconds)}/s over ${seconds.length} whole seconds; ${campaignSends} campaign sends accepted, ${rateLimited} sends refused by the emulator; stats ${JSON.stringify(stats)}`,
    );
    console.log(
      `server RSS: ${rssIdle.toFixed(0)} MB idle before the start, ${rssFirst.toFixed(0)} MB 5 s in, ${mid.toFixed(0)} MB in the middle, ${end.toFixed(0)} MB at the end: growth ${(end - rssFirst).toFixed(0)} MB over ${SECONDS - 5} s; server CPU ${((cpuS / SECONDS) * 100).toFixed(0)} % of a core`,
    );
    console.log(
      `agent reply sent 0.5 s into the start (the audience being frozen${firstReply && firstReply.at >= frozenAt ? ': it was frozen already' : ''}), API call to the emulator's Send API call: ${firstReply ? `${firstReply.ms} ms` : 'not seen'}; all ${latencies.freeze.length} replies sent during the freeze p50/max ${ms(latencies.freeze, 50)}/${max(latencies.freeze)} ms`,
    );
    console.log(
      `agent reply, API call to the emulator's Send API call, ms p50/p95/max: during the campaign ${ms(latencies.campaign, 50)}/${ms(latencies.campaign, 95)}/${max(latencies.campaign)} (${latencies.campaign.length} replies)  baseline with no campaign ${ms(latencies.baseline, 50)}/${ms(latencies.baseline, 95)}/${max(latencies.baseline)} (${latencies.baseline.length})  ratio p95 ${(percentile(latencies.campaign, 95) / percentile(latencies.baseline, 95)).toFixed(2)}; replies not seen at the emulator ${replyStarted.size}, refused ${refused.length}${refused.length ? `: ${refused[0]}` : ''}`,
    );
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await exitOf(child);
    }
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
