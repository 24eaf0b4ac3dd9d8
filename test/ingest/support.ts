import type { LightMyRequestResponse } from 'fastify';
import { signWebhookBody } from '../../src/platform/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { contactRoutes } from '../../src/http/routes/contacts.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import type { Dialect } from '../../src/db/types.ts';
import type { RouteModule } from '../../src/http/app.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

export const SECRET = 'test-app-secret';
export const PAGE_A = '100000000000001';
export const PAGE_B = '100000000000002';

/** A test app serving the webhook and contact routes, with Pages A and B registered. */
export async function ingestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await createTestApp(dialect, { routes: [ingestRoutes, contactRoutes], env });
  for (const id of [PAGE_A, PAGE_B])
    await registerPage(app.ctx, cliActor, { id, name: `Page ${id}`, access_token: `token-${id}` });
  return app;
}

export async function tokenFor(app: TestApp, role: string, pageIds?: string[]): Promise<string> {
  return (
    await createToken(app.ctx, cliActor, {
      name: `${role}-${pageIds?.join('-') ?? 'all'}`,
      role,
      ...(pageIds && { pageIds }),
    })
  ).token;
}

/**
 * POSTs a body to /webhook, signed with the app secret unless headers are given; returns once what was acknowledged
 * is in webhook_posts (on SQLite the 200 comes once it is in the spool, and the spool's mover follows).
 */
export async function postWebhook(
  app: TestApp,
  body: string | Buffer,
  headers?: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const res = await app.server.inject({
    method: 'POST',
    url: '/webhook',
    payload: body,
    headers: {
      'content-type': 'application/json',
      ...(headers ?? { 'x-hub-signature-256': signWebhookBody(body, SECRET) }),
    },
  });
  await app.ctx.intake.settled();
  return res;
}

type Item = Record<string, unknown>;

export function envelope(
  pageId: string,
  items: Item[],
  channel: 'messaging' | 'standby' = 'messaging',
  time = 1_764_331_200_000,
): string {
  return JSON.stringify({ object: 'page', entry: items.map((item) => ({ id: pageId, time, [channel]: [item] })) });
}

export function messageItem(
  pageId: string,
  psid: string,
  mid: string,
  text: string,
  timestamp: number,
  extra: Item = {},
): Item {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp, message: { mid, text, ...extra } };
}

export function echoItem(pageId: string, psid: string, mid: string, text: string, timestamp: number): Item {
  return {
    sender: { id: pageId },
    recipient: { id: psid },
    timestamp,
    message: { mid, text, is_echo: true, app_id: 263902037430900 },
  };
}

export function readItem(pageId: string, psid: string, watermark: number): Item {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: watermark + 1, read: { watermark } };
}

export async function countRows(
  app: TestApp,
  table:
    | 'webhook_posts'
    | 'webhook_events'
    | 'contacts'
    | 'messages'
    | 'contact_events'
    | 'user_refs'
    | 'marketing_subscriptions',
): Promise<number> {
  const r = await app.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Processes until nothing is pending. */
export async function drain(app: TestApp): Promise<void> {
  const { processPendingPosts } = await import('../../src/modules/ingest/index.ts');
  await app.ctx.intake.settled();
  while ((await processPendingPosts(app.ctx, { limit: 50 })) > 0);
}

/**
 * An emulator (Graph over HTTP, webhooks delivered in-process to the app) wired to a fresh test app whose Pages are
 * the emulator's: the app's Graph URL and app secret are the emulator's. `appEnv` adds settings (e.g. feature flags).
 */
export async function emulatedApp(
  dialect: Dialect,
  emuOptions: Parameters<typeof startEmulatorServer>[0] = {},
  appEnv: Record<string, string> = {},
  routes: RouteModule[] = [],
): Promise<{ app: TestApp; emu: EmulatorServer; pages: string[] }> {
  let target: TestApp | null = null;
  const emu = await startEmulatorServer({
    appSecret: SECRET,
    clockMode: 'frozen',
    clockStart: Date.UTC(2026, 10, 28, 12),
    rateLimits: false,
    ...emuOptions,
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
  const app = await createTestApp(dialect, {
    routes: [ingestRoutes, contactRoutes, ...routes],
    env: { ...appEnv, META_GRAPH_URL: emu.url },
  });
  const pages: string[] = [];
  for (const name of ['Shop A', 'Shop B']) {
    const page = emu.emulator.createPage({ name });
    await registerPage(app.ctx, cliActor, { id: page.id, name, access_token: page.access_token });
    pages.push(page.id);
  }
  target = app;
  return { app, emu, pages };
}
