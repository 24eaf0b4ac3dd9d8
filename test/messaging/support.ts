// Shared setup for the messaging tests: an app, the emulator as "Meta", a Page registered on both, and contacts
// seeded directly (as the ingest would have written them), each with a real PSID from the emulator.
import type { AppContext } from '../../src/kernel/context.ts';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { wroteJustNow } from '../support/seed.ts';
import type { Dialect } from '../../src/db/types.ts';
import { startEmulatorServer, type EmulatorOptionsInput, type EmulatorServer } from '../../src/emulator/index.ts';
import { newId } from '../../src/lib/ids.ts';
import { systemClock } from '../../src/lib/time.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { messagingRoutes } from '../../src/http/routes/messaging.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

export interface MessagingWorld {
  app: TestApp;
  /** The app's context on the real clock (the dispatcher schedules retries in real time). */
  ctx: AppContext;
  meta: EmulatorServer;
  close(): Promise<void>;
}

/** A test app wired to a fresh emulator on a free port. */
export async function createMessagingWorld(
  dialect: Dialect,
  emulator: EmulatorOptionsInput = {},
): Promise<MessagingWorld> {
  // The same app secret on both sides, and the emulator requiring appsecret_proof, as a locked-down Meta app does.
  const meta = await startEmulatorServer({
    seed: `msg-${Math.random()}`,
    appSecret: 'test-app-secret',
    ...emulator,
    policy: { requireAppsecretProof: true, ...emulator.policy },
  });
  const app = await createTestApp(dialect, { routes: [messagingRoutes], env: { META_GRAPH_URL: meta.url } });
  const ctx: AppContext = { ...app.ctx, clock: systemClock };
  return {
    app,
    ctx,
    meta,
    close: async () => {
      await app.close();
      await meta.close();
    },
  };
}

/** A Page on the emulator, registered in pagescope with `token` (default: the emulator's valid token). */
export async function addPage(w: MessagingWorld, name: string, token?: string): Promise<{ id: string; token: string }> {
  const page = w.meta.emulator.createPage({ name });
  await registerPage(w.ctx, cliActor, { id: page.id, name, access_token: token ?? page.access_token });
  return { id: page.id, token: page.access_token };
}

export interface SeededContact {
  id: string;
  userId: string;
  psid: string;
}

/** A person who wrote to the Page on the emulator, and the matching contact row in pagescope. */
export async function addContact(
  w: MessagingWorld,
  pageId: string,
  over: Partial<ContactTable> = {},
  first = 'Ada',
): Promise<SeededContact> {
  const user = w.meta.emulator.createUser({ first_name: first, last_name: 'Test', locale: over.locale ?? 'en_US' });
  const said = await w.meta.emulator.user(user.id).says(pageId, 'hello');
  const id = await insertContact(w.ctx, pageId, said.psid!, over);
  return { id, userId: user.id, psid: said.psid! };
}

/** The contact row the ingest would have written for a person who just wrote (PSID encrypted and blind-indexed). */
export async function insertContact(
  ctx: AppContext,
  pageId: string,
  psid: string,
  over: Partial<ContactTable> = {},
): Promise<string> {
  const id = newId('ct');
  const now = Date.now();
  const row: ContactTable = {
    ...newContactRow({
      id,
      pageId,
      psidBidx: ctx.keyring.blindIndex(psid, 'psid'),
      psidEnc: ctx.keyring.encrypt(psid, { table: 'contacts', column: 'psid_enc', pageId, rowId: id }),
      at: now,
      now,
    }),
    ...wroteJustNow(now),
    ...over,
  };
  await ctx.db.insertInto('contacts').values(row).execute();
  return id;
}

/** Polls until `check` holds (tests never assert on time, only on what eventually happened). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Delivery ids the emulator accepted, in the order it accepted them (from the Graph call log's metadata). */
export function acceptedDeliveryIds(meta: EmulatorServer): string[] {
  const out: string[] = [];
  for (const call of meta.emulator.calls()) {
    if (call.method !== 'POST' || !call.path.endsWith('/messages') || call.status !== 200) continue;
    const message = call.params.message as { metadata?: string } | undefined;
    if (message?.metadata) out.push(message.metadata);
  }
  return out;
}
