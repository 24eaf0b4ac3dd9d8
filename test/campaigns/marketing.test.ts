// A `marketing` campaign through the emulator's paid Marketing Message API, on each database: refused while the
// Page's Marketing Messages are off, the switch refused without Meta's permission, then a person with a token whose
// window closed long ago is reached while a person in the EU and one without a token are skipped with their reasons,
// and a second campaign within 12 hours skips the person already reached.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { Dialect } from '../../src/db/types.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { campaignRoutes } from '../../src/http/routes/campaigns.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { newId } from '../../src/lib/ids.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { wroteJustNow } from '../support/seed.ts';
import { until } from '../support/until.ts';

const DAY = 86_400_000;

interface World {
  app: TestApp;
  meta: EmulatorServer;
  pageId: string;
}

/** A person who wrote 3 days ago; with `token`, one who opted in to marketing messages in the emulator too. */
async function addPerson(
  w: World,
  p: { locale: string; timezone: number; token: boolean },
): Promise<{ contactId: string; userId: string }> {
  const user = w.meta.emulator.createUser({ first_name: 'Anon', last_name: 'Test', locale: p.locale });
  const psid = (await w.meta.emulator.user(user.id).says(w.pageId, 'hello')).psid!;
  const token = p.token
    ? (await w.meta.emulator.user(user.id).marketing(w.pageId, 'opt_in')).notification_messages_token
    : null;
  const { ctx } = w.app;
  const id = newId('ct');
  const now = Date.now();
  const at = (column: string) => ({ table: 'contacts', column, pageId: w.pageId, rowId: id });
  const row: ContactTable = {
    ...newContactRow({
      id,
      pageId: w.pageId,
      psidBidx: ctx.keyring.blindIndex(psid, 'psid'),
      psidEnc: ctx.keyring.encrypt(psid, at('psid_enc')),
      at: now,
      now,
    }),
    ...wroteJustNow(now - 3 * DAY),
    locale: p.locale,
    timezone: p.timezone,
    consent_marketing: 'granted',
    consent_marketing_at: now - 3 * DAY,
  };
  await ctx.db.insertInto('contacts').values(row).execute();
  if (token) {
    const subId = newId('ms');
    await ctx.db
      .insertInto('marketing_subscriptions')
      .values({
        id: subId,
        page_id: w.pageId,
        contact_id: id,
        topic: 'Updates',
        token_enc: sealContactField(ctx, id, token, {
          table: 'marketing_subscriptions',
          column: 'token_enc',
          pageId: w.pageId,
          rowId: subId,
        }),
        status: 'active',
        status_at: now - 3 * DAY,
        expires_at: null,
        timezone: null,
        frequency: null,
        last_sent_at: null,
        created_at: now - 3 * DAY,
      })
      .execute();
  }
  return { contactId: id, userId: user.id };
}

async function run(dialect: Dialect, t: TestContext) {
  let w!: World;
  const workers: BackgroundWorker[] = [];
  let us!: { contactId: string; userId: string };
  let eu!: { contactId: string; userId: string };
  let none!: { contactId: string; userId: string };
  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    w.app.server.inject({ method, url, headers: bearer(w.app.ownerToken), ...(payload ? { payload } : {}) });
  const create = (name: string) =>
    inject('POST', `/api/v1/pages/${w.pageId}/campaigns`, {
      name,
      kind: 'marketing',
      filter: { all: [] },
      message: { text: 'Our winter sale starts today' },
    });

  before(async () => {
    const meta = await startEmulatorServer({ seed: `marketing-${dialect}`, appSecret: 'test-app-secret' });
    const app = await createTestApp(dialect, {
      routes: [campaignRoutes],
      env: { META_GRAPH_URL: meta.url, PAGESCOPE_PUBLIC_URL: 'https://pagescope.example' },
    });
    app.clock.now = () => Date.now();
    const page = meta.emulator.createPage({ name: 'Shop' });
    await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
    w = { app, meta, pageId: page.id };
    us = await addPerson(w, { locale: 'en_US', timezone: -5, token: true });
    eu = await addPerson(w, { locale: 'fr_FR', timezone: 1, token: true });
    none = await addPerson(w, { locale: 'en_US', timezone: -5, token: false });
  });
  after(async () => {
    for (const x of workers) await x.stop();
    await w.app.close();
    await w.meta.close();
  });

  await t.test('a marketing campaign is refused while the Page has not enabled Marketing Messages', async () => {
    const res = await create('Winter sale');
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.details.reason, 'marketing_not_enabled');
  });

  await t.test('enabling Marketing Messages is refused while Meta has not granted the permission', async () => {
    const res = await inject('PUT', `/api/v1/pages/${w.pageId}/marketing-messages`, {
      enabled: true,
      ad_account_id: '123456',
      daily_budget: 5000,
    });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.details.reason, 'marketing_permission_missing');
    const got = await inject('GET', `/api/v1/pages/${w.pageId}/marketing-messages`);
    assert.equal(got.json().enabled, false);
  });

  let adAccount = '';
  await t.test('with the permission granted at Meta, the Page enables them, audited', async () => {
    adAccount = w.meta.emulator.setMarketingMessages(w.pageId, true).ad_account_id!;
    const res = await inject('PUT', `/api/v1/pages/${w.pageId}/marketing-messages`, {
      enabled: true,
      ad_account_id: `act_${adAccount}`,
      daily_budget: 5000,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().enabled, true);
    assert.equal(res.json().ad_account_id, adAccount);
    const audit = await w.app.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'page.marketing_messages.update')
      .execute();
    assert.equal(audit.length, 1);
  });

  let id = '';
  await t.test('the preview leaves out the person in the EU and the one without a token, with reasons', async () => {
    const res = await create('Winter sale');
    assert.equal(res.statusCode, 201, res.body);
    id = res.json().id;
    const preview = (await inject('POST', `/api/v1/campaigns/${id}/preview`)).json();
    assert.equal(preview.recipients, 3);
    assert.equal(preview.eligible, 1);
    assert.deepEqual(preview.by_reason, { marketing_region_restricted: 1, no_marketing_token: 1 });
    assert.equal(preview.sample[0].contact_id, us.contactId);
  });

  await t.test('started, it reaches the person with a token outside the window through act_<id>/messages', async () => {
    workers.push(startCampaignSender(w.app.ctx, { idleMs: 10 }));
    workers.push(startDispatcher(w.app.ctx, { idleMs: 10 }));
    assert.equal((await inject('POST', `/api/v1/campaigns/${id}/start`)).statusCode, 200);
    const campaign = async () => (await inject('GET', `/api/v1/campaigns/${id}`)).json();
    await until('the campaign completes', async () => ((await campaign()).status === 'completed' ? true : undefined));
    await until('its send is sent', async () => ((await campaign()).stats.sent === 1 ? true : undefined));
    const c = (await inject('GET', `/api/v1/campaigns/${id}`)).json();
    assert.deepEqual(c.stats.skipped, { marketing_region_restricted: 1, no_marketing_token: 1 });
    const inbox = w.meta.emulator.inbox(us.userId, w.pageId);
    assert.ok(inbox.some((m) => m.text === 'Our winter sale starts today' && m.messaging_type === 'MARKETING_MESSAGE'));
    for (const other of [eu, none])
      assert.ok(!w.meta.emulator.inbox(other.userId, w.pageId).some((m) => m.from === 'page'));
    const calls = w.meta.emulator.calls().filter((x) => x.path.includes(`act_${adAccount}`));
    assert.deepEqual(
      calls.map((x) => [x.path.replace(/^\/v[\d.]+\//, ''), x.status]),
      [
        [`act_${adAccount}/message_campaign`, 200],
        [`act_${adAccount}/messages`, 200],
      ],
    );
    const send = calls[1]!;
    assert.equal((send.answer as { success: boolean }).success, true);
    assert.match(String((send.answer as Record<string, unknown>).marketing_message_tracking_id), /^[0-9a-f-]{36}$/);
    const delivery = await w.app.ctx.db
      .selectFrom('deliveries')
      .selectAll()
      .where('contact_id', '=', us.contactId)
      .executeTakeFirstOrThrow();
    assert.equal(delivery.messaging_type, 'MARKETING_MESSAGE');
  });

  await t.test('a second marketing campaign within 12 hours skips the person already reached', async () => {
    const res = await create('Winter sale, day two');
    const second = res.json().id;
    const preview = (await inject('POST', `/api/v1/campaigns/${second}/preview`)).json();
    assert.equal(preview.eligible, 0);
    assert.equal(preview.by_reason.frequency_capped, 1);
  });
}

for (const dialect of testDialects()) {
  test(`a marketing campaign through the emulator's Marketing Message API [${dialect}]`, async (t) => run(dialect, t));
}
