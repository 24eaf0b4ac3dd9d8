import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { initialise } from '../app/bootstrap.ts';
import { startPagescope, type RunningServer } from '../app/server.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { takePidLock } from '../lib/pid-lock.ts';
import { AppError } from '../errors.ts';
import { cliActor } from '../modules/access/actor.ts';
import { createToken } from '../modules/access/create-token.ts';
import { getToken } from '../modules/access/list-tokens.ts';
import { revokeToken } from '../modules/access/revoke-token.ts';
import { tokenStatus } from '../modules/access/token.presenter.ts';
import type { AppContext } from '../kernel/context.ts';
import { ensurePageRegistered } from '../modules/pages/ensure-page.ts';
import { createCannedResponse, listCannedResponses } from '../modules/canned-responses/canned-responses.ts';
import { readActivitySummary, type ActivitySummary } from '../modules/reports/read-summary.ts';
import { createUser } from '../modules/users/create-user.ts';
import { createLoginLink } from '../modules/users/login-links.ts';
import {
  createEmulator,
  createTraffic,
  startEmulatorServer,
  type EmulatorServer,
  type Traffic,
} from '../emulator/index.ts';
import { seedDemoAutomations, yieldDemoRulesToAssistant } from './demo-automation.ts';
import { seedDemoAssistant } from './demo-assistant.ts';
import { DEMO_FAQ_PARAPHRASES, DEMO_OFF_TOPIC } from './demo-faq.ts';
import { automationSummary } from '../modules/automations/automations.ts';
import { seedDemoShop } from './demo-shop.ts';
import {
  LOCK_FILE,
  loadEmulatorWorld,
  loadSandboxState,
  resetSandbox,
  saveEmulatorWorld,
  saveSandboxState,
  type SandboxState,
} from './sandbox-state.ts';

export interface SandboxOptions {
  dataDir: string;
  port: number;
  host?: string;
  reset?: boolean;
  /** Simulated people and their pace; gentle by default so a person can follow along. */
  people?: number;
  actionsPerSecond?: number;
  logger?: Logger;
}

export interface SandboxReady {
  url: string;
  owner_token: string;
  /** Whether the owner token is the one the last run printed (false on a first run, or when it was revoked or expired). */
  owner_token_kept: boolean;
  /** A one-time link (24 hours) that signs in as the owner; a new one each run. */
  login_url: string;
  emulator_url: string;
  api_docs: string;
  pages: { id: string; name: string }[];
}

export interface Sandbox {
  ready: SandboxReady;
  summary(): Promise<
    ActivitySummary & { automation: Awaited<ReturnType<typeof automationSummary>>; traffic: Traffic['stats'] }
  >;
  stop(): Promise<void>;
}

/**
 * The whole loop, offline, in one process: pagescope (its own data dir), the embedded emulator on its own port,
 * two demo Pages wired both ways (webhook → pagescope, Graph → emulator), demo automation rules and seeded traffic.
 * A second start continues with the same data; `reset` starts over.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  // One sandbox per data dir: a second one would revoke the first's token and take its webhooks to its own emulator.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const lock = takePidLock(join(opts.dataDir, LOCK_FILE));
  if (!lock.ok)
    throw new AppError(
      'conflict',
      `a sandbox is already running on this data dir (pid ${lock.holderPid}); stop it or pass --data-dir`,
    );
  try {
    return await startLocked(opts, lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(opts: SandboxOptions, unlock: () => void): Promise<Sandbox> {
  if (opts.reset) resetSandbox(opts.dataDir);
  const { state } = loadSandboxState(opts.dataDir);
  state.runs += 1;
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? createLogger('warn', process.stderr as never);

  // The emulator's identities (Pages, people, PSIDs) follow the sandbox's seed across runs; message ids are fresh per run.
  const emulator = createEmulator({
    appId: state.appId,
    appSecret: state.appSecret,
    verifyToken: state.verifyToken,
    seed: state.seed,
    runSeed: String(state.runs),
    clockMode: 'running',
  });
  for (const p of state.pages) emulator.createPage(p);
  // The people who wrote before, with their PSIDs, blocks and windows: replies to earlier contacts still reach them.
  const world = loadEmulatorWorld(opts.dataDir);
  if (world) emulator.loadWorld(world);
  const emu: EmulatorServer = await startEmulatorServer({ emulator, host, port: 0 });

  const env = {
    ...process.env,
    PAGESCOPE_DATA_DIR: opts.dataDir,
    META_APP_ID: state.appId,
    META_APP_SECRET: state.appSecret,
    META_VERIFY_TOKEN: state.verifyToken,
    META_GRAPH_URL: emu.url,
    DATABASE_URL: '',
    PAGESCOPE_MASTER_KEY: '',
  };
  const config = loadConfig(env, { dataDir: opts.dataDir, port: opts.port, host, databaseUrl: null });
  if (!existsSync(join(opts.dataDir, 'master.key')))
    state.ownerUserId = (await initialise(config, { env })).owner_user_id;

  let running: RunningServer;
  try {
    running = await startPagescope(config, { role: 'all', logger });
  } catch (err) {
    await emu.close();
    throw err;
  }
  const ctx = running.ctx;
  let owner: { token: string; kept: boolean };
  let loginUrl: string;
  try {
    for (const p of state.pages) await ensurePageRegistered(ctx, cliActor, p);
    for (const p of state.pages) await seedCannedResponses(ctx, p.id);
    // The shop Page's assistant answers what its FAQ covers; the outlet keeps keyword rules for those questions.
    const shopPage = state.pages[0]!.id;
    for (const p of state.pages) await seedDemoAutomations(ctx, p.id, p.id === shopPage);
    // Once per data dir: afterwards the entries, the assistant's settings and the profile are the operator's.
    if (!state.demoAssistantLoaded) {
      await yieldDemoRulesToAssistant(ctx, shopPage);
      await seedDemoAssistant(ctx, shopPage);
      state.demoAssistantLoaded = true;
    }
    owner = await ownerToken(ctx, state);
    loginUrl = `${running.url}/login/${await ownerLinkToken(ctx, state)}`;
    saveSandboxState(opts.dataDir, state);
    const handshake = await emulator.setWebhook(`${running.url}/webhook`, state.verifyToken);
    if (!handshake.ok)
      throw new Error(
        `the emulator could not register pagescope's webhook: ${handshake.error ?? `status ${String(handshake.status)}`}`,
      );
    // The demo shop (the first demo Page) gets its catalogue, customers, orders and segments, once.
    state.shopPeople = await seedDemoShop(ctx, emulator, state.pages[0]!.id, state.shopPeople ?? []);
    saveSandboxState(opts.dataDir, state);
  } catch (err) {
    // Nothing may keep running (and the process alive) when the start fails half-way.
    await running.close(1000);
    await emu.close();
    throw err;
  }

  // 0: the simulated people stay quiet (the sandbox then only shows what you do through the emulator).
  const rate = opts.actionsPerSecond ?? 3;
  const traffic = createTraffic(emulator, {
    seed: `${state.seed}:${state.runs}`,
    people: opts.people ?? 24,
    pageIds: state.pages.map((p) => p.id),
    rates: {
      message: rate * 0.45,
      ice_breaker: rate * 0.05,
      postback: rate * 0.12,
      quick_reply: rate * 0.1,
      read: rate * 0.18,
      reaction: rate * 0.05,
      referral: rate * 0.03,
      optin: rate * 0.02,
      optout: rate * 0.03,
      block: rate * 0.015,
      unblock: rate * 0.005,
    },
    userIds: state.people ?? [],
    texts: [...SHOP_TEXTS, ...Object.values(DEMO_FAQ_PARAPHRASES).flat(), ...DEMO_OFF_TOPIC],
    onError: () => {},
  });
  state.people = traffic.userIds();
  saveSandboxState(opts.dataDir, state);
  // The world is saved every few seconds and at stop, so even a run killed with -9 keeps nearly all of it.
  let savedWorld = '';
  const saveWorld = () => {
    const text = JSON.stringify(emulator.saveWorld());
    if (text === savedWorld) return;
    saveEmulatorWorld(opts.dataDir, text);
    savedWorld = text;
  };
  saveWorld();
  const worldTimer = setInterval(saveWorld, 2000);
  worldTimer.unref();
  traffic.start();

  return {
    ready: {
      url: running.url!,
      owner_token: owner.token,
      owner_token_kept: owner.kept,
      login_url: loginUrl,
      emulator_url: emu.url,
      api_docs: `${running.url}/api/docs`,
      pages: state.pages.map((p) => ({ id: p.id, name: p.name })),
    },
    summary: async () => ({
      ...(await readActivitySummary(ctx, cliActor)),
      automation: await automationSummary(
        ctx,
        cliActor,
        state.pages.map((p) => p.id),
      ),
      traffic: traffic.stats,
    }),
    stop: async () => {
      await traffic.stop();
      clearInterval(worldTimer);
      saveWorld();
      await running.close(10_000);
      await emu.close();
      unlock();
    },
  };
}

/**
 * What the simulated people write to the demo shop: questions a small shop gets, in the languages of its customers,
 * some the demo rules or the assistant answer, some only a person can, the odd STOP and START. Besides these they
 * ask the demo FAQ's questions in other words (its paraphrases) and write the occasional off-topic message.
 */
const SHOP_TEXTS = [
  'Hi! Is the blue linen shirt still available in M?',
  'What are your opening hours on Saturday?',
  'Do you ship to Canada? How long does delivery take?',
  'My order number is 4411, has it shipped yet?',
  'I got the wrong size, can I exchange it?',
  'Can I get a refund? The parcel arrived damaged 😕',
  'Thanks, it arrived today 🙏',
  'Où est ma commande ? Je l’attends depuis une semaine.',
  '¿Tienen envío gratis a Madrid?',
  'Danke! Kann ich auch mit PayPal zahlen?',
  'Is there a discount code for first orders?',
  'Hello, I need an invoice with my company name for order 5120',
  'Can I change the delivery address of my order?',
  'Do you have this in black?',
  'When will the sneakers be back in stock?',
  'ok',
  '👍',
  'Hi',
  'Is the shop open on Sunday?',
  'Preciso trocar o tamanho, como faço?',
  'The tracking link does not work',
  // The odd opt-out, and twice as often a way back (keywords are read in any case): an opt-out is not for good, so
  // the share of people opted out stays near a third instead of growing with every STOP the longer the demo runs.
  'STOP',
  'START',
  'start',
];

/**
 * The owner token of the banner: the last run's while it is still valid (stored in the 0600 state file), so what a
 * person copied keeps working across runs; a new one when it was revoked or expired (or on the first run).
 */
async function ownerToken(ctx: AppContext, state: SandboxState): Promise<{ token: string; kept: boolean }> {
  if (state.ownerTokenId) {
    const row = await getToken(ctx, cliActor, state.ownerTokenId).catch(() => null);
    if (row && state.ownerToken && tokenStatus(row, ctx.clock.now()) === 'active')
      return { token: state.ownerToken, kept: true };
    // A token whose secret this file no longer holds (written by an older sandbox) cannot be printed again.
    if (row && !state.ownerToken) await revokeToken(ctx, cliActor, row.id);
  }
  const owner = await createToken(ctx, cliActor, { name: `sandbox owner (run ${state.runs})`, role: 'owner' });
  state.ownerTokenId = owner.id;
  state.ownerToken = owner.token;
  return { token: owner.token, kept: false };
}

/**
 * A fresh one-time sign-in link's token for the owner's account; the account is made when this data dir has none
 * (a sandbox from before accounts existed).
 */
async function ownerLinkToken(ctx: AppContext, state: SandboxState): Promise<string> {
  if (state.ownerUserId) {
    const link = await createLoginLink(ctx, cliActor, state.ownerUserId).catch(() => null);
    if (link) return link.token;
  }
  const created = await createUser(ctx, cliActor, { email: `owner+run${state.runs}@localhost`, role: 'owner' });
  state.ownerUserId = created.user.id;
  return new URL(created.login_url).pathname.split('/').pop()!;
}

const DEMO_CANNED = [
  { shortcut: 'thanks', text: 'Thanks {{contact.first_name|there}}, happy to help!' },
  { shortcut: 'hours', text: 'We are open Monday to Friday, 9:00 to 17:00.' },
  { shortcut: 'tracking', text: 'Hi {{contact.first_name|there}}, here is how to track your order: …' },
];

/** A few canned responses on a demo Page that has none, so `/` in the composer shows something. */
async function seedCannedResponses(ctx: AppContext, pageId: string): Promise<void> {
  if ((await listCannedResponses(ctx, cliActor, pageId)).length > 0) return;
  for (const c of DEMO_CANNED) await createCannedResponse(ctx, cliActor, pageId, c);
}
