import { existsSync } from 'node:fs';
import { afterEach } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { loadWebFiles } from '../../src/http/web-ui.ts';
import { drain, envelope, messageItem, postWebhook } from '../ingest/support.ts';
import { readyAccount } from '../users/support.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const PAGE_A = '1100000000000001';
export const PAGE_B = '2200000000000002';
export const AGENT = { email: 'ana@example.com', password: 'correct horse battery' };

/** Why the browser tests cannot run here, or null when they can. */
export function browserTestsSkipped(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (loadWebFiles().size === 0) return 'the web inbox is not built (npm run build)';
  return false;
}

/** The browsers this file's tests launched and did not close yet. */
const launched = new Set<Browser>();

/** Of a page's accessibility tree (what a person would see and read there), at most this much is printed. */
const SNAPSHOT_CHARS = 8000;

// A browser test that fails says what each open page showed at that moment: its address and its accessibility tree.
// CI keeps only the log, and "waiting for … to be visible" does not say what was there instead.
afterEach(async (t) => {
  if (!('passed' in t) || t.passed !== false) return;
  for (const browser of launched)
    for (const context of browser.contexts())
      for (const page of context.pages()) {
        const tree = await page
          .locator('body')
          .ariaSnapshot({ timeout: 2000 })
          .catch((err: Error) => `(no snapshot: ${err.message})`);
        console.error(`when "${t.name}" failed, ${page.url()} showed:\n${tree.slice(0, SNAPSHOT_CHARS)}`);
      }
});

/** Chromium as Debian ships it, headless, reaching for no host (this machine has no network). */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  launched.add(browser);
  browser.on('disconnected', () => launched.delete(browser));
  return browser;
}

export interface InboxServer {
  app: TestApp;
  base: string;
  agentId: string;
  /** A person writes to a Page (a signed webhook POST), processed at once. */
  write(pageId: string, psid: string, text: string): Promise<void>;
  /** A person presses a button of the Page (a postback), processed at once. */
  press(pageId: string, psid: string, title: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server on a port with the built UI and the whole API: Pages A ("Demo Shop") and B ("Other Shop"), and an
 * agent of Page A alone. Its clock is the wall clock's now, so the browser and the server agree on the windows.
 */
export async function startInboxServer(): Promise<InboxServer> {
  const app = await createTestApp('sqlite', { routes: routeModules() });
  app.clock.t = Date.now();
  await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'Demo Shop', access_token: 'EAA-token-a' });
  await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'Other Shop', access_token: 'EAA-token-b' });
  const agentId = (await readyAccount(app.ctx, AGENT.email, AGENT.password, { role: 'agent', pages: [PAGE_A] })).id;
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  let mid = 0;
  return {
    app,
    base,
    agentId,
    write: async (pageId, psid, text) => {
      await postWebhook(app, envelope(pageId, [messageItem(pageId, psid, `m.web.${++mid}`, text, app.clock.now())]));
      await drain(app);
    },
    press: async (pageId, psid, title, payload) => {
      const at = app.clock.now();
      const postback = { mid: `m.web.${++mid}`, title, payload };
      await postWebhook(
        app,
        envelope(pageId, [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: at, postback }]),
      );
      await drain(app);
    },
    close: () => app.close(),
  };
}

/** Signs in by the form's labels, as a person would, and waits until the live connection is up. */
export async function signIn(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.getByRole('textbox', { name: 'Email' }).fill(account.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
}
