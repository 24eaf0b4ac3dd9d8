import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { drain, envelope, messageItem, postWebhook, SECRET } from '../ingest/support.ts';
import { readyAccount } from '../users/support.ts';
import { AGENT } from './support.ts';

export interface ConversationWorld {
  app: TestApp;
  emu: EmulatorServer;
  base: string;
  pageId: string;
  agentId: string;
  /** A person on the emulator who writes to the Page; their profile is fetched, as the profile worker would. */
  person(firstName: string, lastName: string, text: string): Promise<{ userId: string; psid: string }>;
  /** Waits until the emulator's webhooks (echoes, receipts, messages) are all processed. */
  settle(): Promise<void>;
  /** A long history from one person, written straight to the webhook (no sends): `count` messages a minute apart. */
  longHistory(psid: string, count: number, text: (i: number) => string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole loop with a real browser in mind: a server with the built UI and the API, Meta played by the emulator
 * (its webhooks posted to the server, its Graph API answering the server's sends), a dispatcher sending, and a pump
 * that processes whatever the emulator delivers. The clocks are the wall clock's, so the windows are as they look.
 */
export async function startConversationWorld(): Promise<ConversationWorld> {
  let target: TestApp | null = null;
  const emu = await startEmulatorServer({
    appSecret: SECRET,
    clockMode: 'running',
    rateLimits: false,
    transport: async (req) => {
      if (!target) return { status: 503, body: 'not ready' };
      const res = await target.server.inject({
        method: req.method,
        url: '/webhook',
        headers: req.headers,
        ...(req.body !== undefined && { payload: req.body }),
      });
      return { status: res.statusCode, body: res.body };
    },
  });
  const app = await createTestApp('sqlite', { routes: routeModules(), env: { META_GRAPH_URL: emu.url } });
  app.clock.now = () => Date.now();
  const page = emu.emulator.createPage({ name: 'Demo Shop' });
  await registerPage(app.ctx, cliActor, { id: page.id, name: 'Demo Shop', access_token: page.access_token });
  const agentId = (await readyAccount(app.ctx, AGENT.email, AGENT.password, { role: 'agent', pages: [page.id] })).id;
  target = app;
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;

  let pumping: Promise<void> = Promise.resolve();
  const settle = () => {
    pumping = pumping.then(async () => {
      await emu.emulator.flush();
      await drain(app);
    });
    return pumping;
  };
  const pump = setInterval(() => void settle().catch(() => undefined), 100);
  const dispatcher: BackgroundWorker = startDispatcher(app.ctx, { idleMs: 50 });
  let mid = 0;

  return {
    app,
    emu,
    base,
    pageId: page.id,
    agentId,
    person: async (firstName, lastName, text) => {
      const userId = emu.emulator.createUser({ first_name: firstName, last_name: lastName }).id;
      const said = await emu.emulator.user(userId).says(page.id, text);
      await settle();
      await enrichProfiles(app.ctx);
      return { userId, psid: said.psid! };
    },
    settle,
    longHistory: async (psid, count, text) => {
      const start = Date.now() - count * 60_000;
      const items = Array.from({ length: count }, (_, i) =>
        messageItem(page.id, psid, `m.long.${++mid}`, text(i), start + i * 60_000),
      );
      for (let i = 0; i < items.length; i += 200) await postWebhook(app, envelope(page.id, items.slice(i, i + 200)));
      await drain(app);
    },
    close: async () => {
      clearInterval(pump);
      await pumping.catch(() => undefined);
      await dispatcher.stop();
      await app.close();
      await emu.close();
    },
  };
}
