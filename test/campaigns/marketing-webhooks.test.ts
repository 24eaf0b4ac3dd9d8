// A `marketing` campaign from a person's opt-in to the report, on each database, through the real HTTP server and
// the emulator's (Graph, control and webhooks over HTTP) and the real workers: the Page is subscribed with the default
// webhook fields, the opt-in webhook's token is stored, the Page's Marketing Messages are switched on, the campaign is
// created and started, the sender and the dispatcher send it through act_<id>/messages, and the delivery webhook
// makes the report count it; a person in a refused region is skipped with the reason. And Meta's delivery webhook
// processed before the send's answer is committed still counts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialect } from '../../src/db/types.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { campaignRoutes } from '../../src/http/routes/campaigns.ts';
import { contactRoutes } from '../../src/http/routes/contacts.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import { startIngestWorkers } from '../../src/modules/ingest/workers.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { createGraphClient, DEFAULT_WEBHOOK_FIELDS, type GraphClient } from '../../src/platform/index.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { until } from '../support/until.ts';
import { drain, emulatedApp, SECRET } from '../ingest/support.ts';

interface World {
  app: TestApp;
  emu: EmulatorServer;
  pageId: string;
  workers: BackgroundWorker[];
  /** Calls pagescope's API: over HTTP when the app listens, else injected. */
  call: (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * pagescope serving HTTP on a port, and the emulator delivering webhooks to it over HTTP once the callback handshake
 * passed; the Page is registered and subscribed with `pages subscribe`'s default fields.
 */
async function openServedWorld(dialect: Dialect, seed: string): Promise<World> {
  const emu = await startEmulatorServer({ seed, appSecret: SECRET, autoSubscribe: false, rateLimits: false });
  const app = await createTestApp(dialect, {
    routes: [ingestRoutes, contactRoutes, campaignRoutes],
    env: { META_GRAPH_URL: emu.url, PAGESCOPE_PUBLIC_URL: 'https://pagescope.example' },
  });
  app.clock.now = () => Date.now();
  const url = await app.server.listen({ port: 0, host: '127.0.0.1' });
  const handshake = await emu.emulator.setWebhook(`${url}/webhook`, 'verify-me');
  assert.ok(handshake.ok, JSON.stringify(handshake));
  const page = emu.emulator.createPage({ name: 'Shop' });
  await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
  const { graphUrl, graphVersion } = app.ctx.config.meta;
  const graph = createGraphClient({ baseUrl: graphUrl, version: graphVersion, appSecret: SECRET, timeoutMs: 8000 });
  await graph.subscribeApp(page.id, page.access_token, DEFAULT_WEBHOOK_FIELDS);
  const call: World['call'] = async (method, path, payload) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...bearer(app.ownerToken), ...(payload !== undefined && { 'content-type': 'application/json' }) },
      ...(payload !== undefined && { body: JSON.stringify(payload) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? null : JSON.parse(text) };
  };
  return { app, emu, pageId: page.id, workers: [], call };
}

async function openWorld(dialect: Dialect, seed: string): Promise<World> {
  const { app, emu, pages } = await emulatedApp(
    dialect,
    { seed },
    { PAGESCOPE_PUBLIC_URL: 'https://pagescope.example' },
    [campaignRoutes],
  );
  // The dispatcher's deadlines are on the wall clock: the app's clock follows it.
  app.clock.now = () => Date.now();
  const call: World['call'] = async (method, url, payload) => {
    const res = await app.server.inject({
      method,
      url,
      headers: bearer(app.ownerToken),
      ...(payload ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, json: res.body === '' ? null : res.json() };
  };
  return { app, emu, pageId: pages[0]!, workers: [], call };
}

async function closeWorld(w: World): Promise<void> {
  for (const x of w.workers) await x.stop();
  await w.app.close();
  await w.emu.close();
}

/** Meta grants the permission; the Page's operator switches Marketing Messages on with its ad account. */
async function enableMarketing(w: World): Promise<void> {
  const granted = await fetch(`${w.emu.url}/_emulator/pages/${w.pageId}/marketing-messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ enabled: true }),
  });
  assert.equal(granted.status, 200);
  const account = ((await granted.json()) as { ad_account_id: string }).ad_account_id;
  const res = await w.call('PUT', `/api/v1/pages/${w.pageId}/marketing-messages`, {
    enabled: true,
    ad_account_id: `act_${account}`,
    daily_budget: 5000,
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
}

/** Creates and starts a marketing campaign to everyone; returns its id. */
async function startCampaign(w: World, name: string): Promise<string> {
  const created = await w.call('POST', `/api/v1/pages/${w.pageId}/campaigns`, {
    name,
    kind: 'marketing',
    filter: { all: [] },
    message: { text: 'Our winter sale starts today' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id as string;
  const started = await w.call('POST', `/api/v1/campaigns/${id}/start`);
  assert.equal(started.status, 200, JSON.stringify(started.json));
  return id;
}

const campaignOf = async (w: World, id: string) => (await w.call('GET', `/api/v1/campaigns/${id}`)).json;

const contactOf = async (w: World, userId: string) =>
  (await w.call('GET', `/api/v1/pages/${w.pageId}/contacts/by-psid/${w.emu.emulator.psid(userId, w.pageId)}`)).json;

for (const dialect of testDialects()) {
  describe(`a marketing campaign from opt-in to report [${dialect}]`, () => {
    let w!: World;
    before(async () => {
      w = await openServedWorld(dialect, `marketing-e2e-${dialect}`);
      w.workers.push(...startIngestWorkers(w.app.ctx, { idleMs: 10, profileIdleMs: 10 }));
    });
    after(() => closeWorld(w));

    test('people who opt in are stored with their token; the one in Meta’s refused region is skipped, the other counted delivered', async () => {
      const people = {
        us: w.emu.emulator.createUser({ first_name: 'Ana', last_name: 'Test', locale: 'en_US', timezone: -5 }),
        fr: w.emu.emulator.createUser({ first_name: 'Jean', last_name: 'Test', locale: 'fr_FR', timezone: 1 }),
      };
      for (const p of Object.values(people)) {
        await w.emu.emulator.user(p.id).says(w.pageId, 'hello');
        const optin = await w.emu.emulator.user(p.id).marketing(w.pageId, 'opt_in');
        assert.ok(optin.notification_messages_token, 'the opt-in webhook carries the subscription token');
      }
      for (const p of Object.values(people)) {
        await until('the opt-in and the profile are stored', async () => {
          const res = await w.call(
            'GET',
            `/api/v1/pages/${w.pageId}/contacts/by-psid/${w.emu.emulator.psid(p.id, w.pageId)}`,
          );
          if (res.status !== 200) return undefined;
          const c = res.json;
          const subs = await w.app.ctx.db
            .selectFrom('marketing_subscriptions')
            .select(['status'])
            .where('contact_id', '=', c.id)
            .execute();
          return subs.length === 1 && subs[0]!.status === 'active' && c.locale !== null ? true : undefined;
        });
      }
      await enableMarketing(w);
      w.workers.push(startCampaignSender(w.app.ctx, { idleMs: 10 }));
      w.workers.push(startDispatcher(w.app.ctx, { idleMs: 10 }));
      const id = await startCampaign(w, 'Winter sale');
      const report = await until('the delivery webhook is counted', async () => {
        const c = await campaignOf(w, id);
        return c.status === 'completed' && c.stats.delivered === 1 ? c : undefined;
      });
      assert.equal(report.stats.sent, 1);
      assert.deepEqual(report.stats.skipped, { marketing_region_restricted: 1 });
      const inbox = w.emu.emulator.inbox(people.us.id, w.pageId);
      assert.ok(
        inbox.some((m) => m.text === 'Our winter sale starts today' && m.messaging_type === 'MARKETING_MESSAGE'),
      );
      assert.ok(!w.emu.emulator.inbox(people.fr.id, w.pageId).some((m) => m.from === 'page'));
      const us = await contactOf(w, people.us.id);
      const delivery = await w.app.ctx.db
        .selectFrom('deliveries')
        .select(['status', 'campaign_id'])
        .where('contact_id', '=', us.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(delivery, { status: 'delivered', campaign_id: id });
    });
  });

  describe(`a marketing delivery webhook processed before its send's answer is committed [${dialect}]`, () => {
    let w!: World;
    before(async () => {
      w = await openWorld(dialect, `marketing-early-${dialect}`);
    });
    after(() => closeWorld(w));

    test('is kept, and counted delivered once the answer with its tracking id is committed', async () => {
      const ana = w.emu.emulator.createUser({ first_name: 'Ana', last_name: 'Test', locale: 'en_US', timezone: -5 });
      await w.emu.emulator.user(ana.id).says(w.pageId, 'hello');
      await w.emu.emulator.user(ana.id).marketing(w.pageId, 'opt_in');
      await drain(w.app);
      const { enrichProfiles } = await import('../../src/modules/contacts/enrich-profiles.ts');
      while ((await enrichProfiles(w.app.ctx)) > 0);
      await enableMarketing(w);

      // Meta sends the webhooks at once: here they are processed before the dispatcher has the answer in hand.
      const { graphUrl, graphVersion } = w.app.ctx.config.meta;
      const real = createGraphClient({ baseUrl: graphUrl, version: graphVersion, appSecret: SECRET, timeoutMs: 8000 });
      let webhookFirst = 0;
      const graph: GraphClient = {
        ...real,
        sendMarketingMessage: async (...args) => {
          const answer = await real.sendMarketingMessage(...args);
          await w.emu.emulator.flush();
          await drain(w.app);
          webhookFirst++;
          return answer;
        },
      };
      w.workers.push(startCampaignSender(w.app.ctx, { idleMs: 10 }));
      w.workers.push(startDispatcher(w.app.ctx, { idleMs: 10, graph }));
      const id = await startCampaign(w, 'Winter sale');
      await until('the campaign completes', async () =>
        (await campaignOf(w, id)).status === 'completed' ? true : undefined,
      );
      await until('its send is recorded', async () => ((await campaignOf(w, id)).stats.sent === 1 ? true : undefined));
      assert.equal(webhookFirst, 1, 'the webhook was processed before the answer was committed');
      const c = await campaignOf(w, id);
      assert.equal(c.stats.delivered, 1);
      const left = await w.app.ctx.db.selectFrom('marketing_message_early_events').selectAll().execute();
      assert.deepEqual(left, [], 'the kept event is applied and gone');
    });
  });
}
