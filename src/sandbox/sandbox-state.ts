import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { WorldSnapshot } from '../emulator/index.ts';

/** What the sandbox keeps between runs so that `npm start` continues where it stopped. */
export interface SandboxState {
  appSecret: string;
  verifyToken: string;
  appId: string;
  seed: string;
  runs: number;
  pages: { id: string; name: string; access_token: string }[];
  ownerTokenId: string | null;
  /** The owner token printed in the banner, kept (this file is 0600) so it stays valid across runs until --reset. */
  ownerToken?: string | null;
  /** The owner's account (made by init), for which each run prints a fresh one-time sign-in link. */
  ownerUserId?: string | null;
  /** The simulated people's ids at the emulator, so a restart finds the same people. */
  people?: string[];
  /** The demo shop's customers' ids at the emulator (see demo-shop.ts), so a restart finds the same customers. */
  shopPeople?: string[];
  /** Whether the demo FAQ, the assistant's settings and the Messenger profile were loaded (once: then they are the operator's). */
  demoAssistantLoaded?: boolean;
}

const FILE = 'sandbox.json';

export const LOCK_FILE = 'sandbox.lock';

/** Empties the sandbox's data dir, keeping only the lock file of the sandbox that is resetting it. */
export function resetSandbox(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir))
    if (name !== LOCK_FILE) rmSync(join(dataDir, name), { recursive: true, force: true });
}

/** Loads the sandbox's state, creating it (random app secret, demo Page identities) on the first run. */
export function loadSandboxState(dataDir: string): { state: SandboxState; fresh: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, FILE);
  if (existsSync(path)) return { state: JSON.parse(readFileSync(path, 'utf8')) as SandboxState, fresh: false };
  const digits = (n: number) =>
    Array.from(randomBytes(n), (b) => String(b % 10))
      .join('')
      .replace(/^0/, '1');
  const state: SandboxState = {
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(8).toString('hex'),
    appId: digits(15),
    seed: randomBytes(4).toString('hex'),
    runs: 0,
    pages: [
      { id: digits(15), name: 'Demo Shop', access_token: `EAAsandbox${randomBytes(24).toString('base64url')}` },
      {
        id: digits(15),
        name: 'Demo Shop — Outlet',
        access_token: `EAAsandbox${randomBytes(24).toString('base64url')}`,
      },
    ],
    ownerTokenId: null,
  };
  saveSandboxState(dataDir, state);
  return { state, fresh: true };
}

export function saveSandboxState(dataDir: string, state: SandboxState): void {
  writeAtomically(join(dataDir, FILE), JSON.stringify(state, null, 2));
}

const WORLD_FILE = 'emulator-world.json';

/** The emulator's world as the last run left it (its simulated people and their PSIDs), or null on a first run. */
export function loadEmulatorWorld(dataDir: string): WorldSnapshot | null {
  const path = join(dataDir, WORLD_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as WorldSnapshot) : null;
}

/** Saves `JSON.stringify(emulator.saveWorld())`. */
export function saveEmulatorWorld(dataDir: string, worldJson: string): void {
  writeAtomically(join(dataDir, WORLD_FILE), worldJson);
}

// Written whole then renamed, so a run killed mid-write leaves the previous file, never half of one.
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
