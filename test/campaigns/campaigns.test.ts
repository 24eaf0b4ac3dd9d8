// A campaign through the emulator, on each database: the preview's eligible set is the set start freezes, the pace
// holds, pause and resume work, a person whose window closed since the preview is skipped with the reason, an agent's
// reply queued meanwhile goes out before the campaign sends queued before it, and the figures add up.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { Dialect } from '../../src/db/types.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { campaignRoutes } from '../../src/http/routes/campaigns.ts';
import { messagingRoutes } from '../../src/http/routes/messaging.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { newId } from '../../src/lib/ids.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { assignVariant } from '../../src/modules/campaigns/campaign.policy.ts';
import { startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { busiestWindow } from '../../src/modules/messaging/rate-limiter.check.ts';
import { advanceDeliveries } from '../../src/modules/messaging/deliveries.repository.ts';
import { sendMessage } from '../../src/modules/messaging/send-message.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { wroteJustNow } from '../support/seed.ts';
import { until } from '../support/until.ts';
import { freezeToTheEnd } from './freeze-steps.ts';

const RATE = 50;
const REGULAR = 200;
const DAY = 86_400_000;

interface World {
  app: TestApp;
  meta: EmulatorServer;
  pageId: string;
}

async function addPerson(w: World, over: Partial<ContactTable> = {}, first: string | null = null): Promise<string> {
  const user = w.meta.emulator.createUser({ first_name: first ?? 'Anon', last_name: 'Test', locale: 'en_US' });
  const psid = (await w.meta.emulator.user(user.id).says(w.pageId, 'hello')).psid!;
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
    ...wroteJustNow(now),
    first_name_enc: first === null ? null : sealContactField(ctx, id, first, at('first_name_enc')),
    ...over,
  };
  await ctx.db.insertInto('contacts').values(row).execute();
  return id;
}

async function handledByAgent(w: World, contactId: string): Promise<void> {
  const now = Date.now();
  await w.app.ctx.db
    .insertInto('conversations')
    .values({
      id: `cv_${contactId.slice(3)}`,
      page_id: w.pageId,
      contact_id: contactId,
      status: 'open',
      assignee_id: 'us_agent',
      handled_by: 'human',
      labels: '[]',
      unread_count: 1,
      waiting_since: now,
      last_message_id: null,
      last_activity_at: now,
      snoozed_until: null,
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

const VARIANTS = [
  { weight: 1, message: { text: 'Hi {{contact.first_name|there}}, new arrivals!' } },
  {
    weight: 1,
    message: {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Hello {{ contact.first_name | friend }}',
          buttons: [{ type: 'web_url', url: 'https://shop.example/new', title: 'Shop' }],
        },
      },
    },
  },
];

async function run(dialect: Dialect, t: TestContext) {
  let w!: World;
  const workers: BackgroundWorker[] = [];
  const named = new Map<string, string | null>();
  const eligible = new Set<string>();
  let closing = '';
  let humanHandled: string[] = [];
  const post = (url: string, payload?: unknown) =>
    w.app.server.inject({ method: 'POST', url, headers: bearer(w.app.ownerToken), ...(payload ? { payload } : {}) });
  const get = (url: string) => w.app.server.inject({ method: 'GET', url, headers: bearer(w.app.ownerToken) });
  const campaignSends = async (statuses?: string[]) => {
    let q = w.app.ctx.db.selectFrom('deliveries').selectAll().where('author', '=', 'campaign');
    if (statuses) q = q.where('status', 'in', statuses as never[]);
    return q.execute();
  };

  before(async () => {
    const meta = await startEmulatorServer({
      seed: `campaigns-${dialect}`,
      appSecret: 'test-app-secret',
      policy: { echoes: false, deliveryReceipts: false },
    });
    const app = await createTestApp(dialect, {
      routes: [campaignRoutes, messagingRoutes],
      env: { META_GRAPH_URL: meta.url, PAGESCOPE_PUBLIC_URL: 'https://pagescope.example' },
    });
    // The API and the workers on one clock, the real one (the emulator and the dispatcher pace in real time).
    app.clock.now = () => Date.now();
    const page = meta.emulator.createPage({ name: 'Shop' });
    await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
    w = { app, meta, pageId: page.id };
    // Created first, so queued last: the person whose window closes between the start and their send.
    closing = await addPerson(w, {}, 'Cleo');
    eligible.add(closing);
    for (let i = 0; i < REGULAR; i++) {
      const first = i % 2 === 0 ? `P${i}` : null;
      const id = await addPerson(w, {}, first);
      named.set(id, first);
      eligible.add(id);
    }
    named.set(closing, 'Cleo');
    for (let i = 0; i < 3; i++) await addPerson(w, { consent_replies: 'withdrawn', consent_replies_at: Date.now() });
    for (let i = 0; i < 2; i++) await addPerson(w, { status: 'unreachable', status_at: Date.now() });
    for (let i = 0; i < 2; i++) await addPerson(w, { last_user_action_at: Date.now() - 2 * DAY });
    humanHandled = [await addPerson(w), await addPerson(w)];
    for (const id of humanHandled) await handledByAgent(w, id);
    await addPerson(w, { locale: 'fr_FR' });
  });
  after(async () => {
    for (const x of workers) await x.stop();
    await w.app.close();
    await w.meta.close();
  });

  const create = (over: Record<string, unknown> = {}) =>
    post(`/api/v1/pages/${w.pageId}/campaigns`, {
      name: 'New arrivals',
      kind: 'standard',
      filter: { field: 'locale', op: 'eq', value: 'en_US' },
      variants: VARIANTS,
      max_per_second: RATE,
      ...over,
    });

  await t.test('content that does not fit its kind is refused at creation with the reason', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { kind: 'utility', variants: undefined, template: { name: 'order_update', language: 'en_US' } },
        'template_not_approved',
      ],
      [{ kind: 'utility', variants: undefined, message: { text: 'Your order shipped' } }, 'utility_requires_template'],
      [
        {
          kind: 'utility',
          variants: undefined,
          message: { text: 'x', quick_replies: [{ content_type: 'text', title: 'OK', payload: 'ok' }] },
        },
        'quick_replies_not_allowed',
      ],
      [
        { kind: 'utility', variants: undefined, template: { name: 't', language: 'en', parameters: ['50% off'] } },
        'promotional_content',
      ],
      [{ kind: 'marketing' }, 'marketing_not_enabled'],
      [{ tag: 'HUMAN_AGENT' }, 'human_agent_not_allowed'],
      [{ tag: 'CONFIRMED_EVENT_UPDATE' }, 'retired_tag'],
      [{ variants: undefined, message: { text: 'Hi {{contact.frist_name}}' } }, 'unknown_variable'],
    ];
    for (const [body, reason] of cases) {
      const res = await create(body);
      assert.equal(res.statusCode, 400, `${reason}: ${res.body}`);
      assert.equal(res.json().error.details.reason, reason);
    }
    assert.equal((await w.app.ctx.db.selectFrom('campaigns').selectAll().execute()).length, 0);
  });

  let id = '';
  await t.test(
    'the preview reports who start would freeze, left out by reason, with the message rendered',
    async () => {
      const res = await create();
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().status, 'draft');
      id = res.json().id;
      const preview = (await post(`/api/v1/campaigns/${id}/preview`)).json();
      assert.equal(preview.recipients, REGULAR + 1 + 9);
      assert.equal(preview.eligible, REGULAR + 1);
      assert.deepEqual(preview.by_reason, { opted_out: 3, unreachable: 2, outside_window: 2, human_handling: 2 });
      assert.equal(preview.sample.length, 5);
      for (const s of preview.sample) {
        assert.equal(s.variant, assignVariant(id, s.contact_id, [1, 1]));
        const first = named.get(s.contact_id);
        const expected = s.variant === 0 ? `Hi ${first ?? 'there'}, new arrivals!` : `Hello ${first ?? 'friend'}`;
        assert.equal(s.text, expected);
      }
    },
  );

  await t.test('starting twice starts once, and its freeze stores exactly the eligible set', async () => {
    const [a, b] = [await post(`/api/v1/campaigns/${id}/start`), await post(`/api/v1/campaigns/${id}/start`)];
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual([a.json().status, b.json().status], ['starting', 'starting']);
    assert.equal(await freezeToTheEnd(w.app.ctx, id, 50), Math.ceil((REGULAR + 1 + 9 + 1) / 50));
    assert.equal((await get(`/api/v1/campaigns/${id}`)).json().status, 'running');
    const audits = await w.app.ctx.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'campaign.start')
      .execute();
    assert.equal(audits.length, 1);
    const rows = await w.app.ctx.db
      .selectFrom('campaign_recipients')
      .selectAll()
      .where('campaign_id', '=', id)
      .execute();
    assert.equal(rows.length, REGULAR + 1 + 9);
    assert.deepEqual(new Set(rows.filter((r) => r.status === 'pending').map((r) => r.contact_id)), eligible);
    for (const r of rows) assert.equal(r.variant, assignVariant(id, r.contact_id, [1, 1]));
    // Their window closes after the preview: the send-time check must catch it.
    await w.app.ctx.db
      .updateTable('contacts')
      .set({ last_user_action_at: Date.now() - 2 * DAY })
      .where('id', '=', closing)
      .execute();
  });

  let pausedAt = 0;
  await t.test('it sends at its pace, and a pause stops it queuing', async () => {
    const dispatcher = startDispatcher(w.app.ctx, { workerId: `campaign-test-${dialect}` });
    workers.push(dispatcher, startCampaignSender(w.app.ctx, { onQueued: () => dispatcher.wake() }));
    await until(
      'a part of the audience was queued',
      async () => ((await campaignSends()).length >= 40 ? true : undefined),
      30_000,
      10,
    );
    const paused = await post(`/api/v1/campaigns/${id}/pause`);
    assert.equal(paused.json().status, 'paused', paused.body);
    pausedAt = Date.now();
    await until(
      'the outbox drained',
      async () => ((await campaignSends(['queued', 'sending'])).length === 0 ? true : undefined),
      30_000,
      20,
    );
    const all = await campaignSends();
    assert.ok(
      all.every((d) => d.created_at <= pausedAt),
      'nothing was queued after the pause',
    );
    const pending = await w.app.ctx.db
      .selectFrom('campaign_recipients')
      .select('id')
      .where('campaign_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    assert.ok(pending.length > 0, 'recipients wait while it is paused');
    // The pace as Meta saw it while it ran, reported: on a busy machine the dispatcher's delays bunch sends up, and
    // then the Page's limit, not the campaign's, bounds the burst. The campaign's own pace is what it queues.
    const sent = new Set(all.map((d) => d.id));
    const times = w.meta.emulator
      .calls()
      .filter(
        (c) => c.status === 200 && sent.has((c.params.message as { metadata?: string } | undefined)?.metadata ?? ''),
      )
      .map((c) => c.at);
    const queuedPace = busiestWindow(
      all.map((d) => d.created_at),
      1000,
    );
    console.log(
      `campaign pace [${dialect}]: configured ${RATE}/s; busiest second queued ${queuedPace}, at Meta ${busiestWindow(times, 1000)}`,
    );
    assert.ok(queuedPace <= RATE, `${queuedPace} queued in one second at ${RATE}/s`);
  });

  await t.test(
    "an agent's reply queued during the campaign goes out before the campaign sends queued earlier",
    async () => {
      // The dispatcher stops, the campaign resumes and fills its share of the outbox, then an agent replies.
      const dispatcher = workers.shift()!;
      await dispatcher.stop();
      assert.equal((await post(`/api/v1/campaigns/${id}/resume`)).json().status, 'running');
      // It fills its share of the outbox (two seconds of sends), or queues all that is left if that is less.
      await until(
        'campaign sends wait in the outbox',
        async () => {
          const pending = await w.app.ctx.db
            .selectFrom('campaign_recipients')
            .select('id')
            .where('campaign_id', '=', id)
            .where('status', '=', 'pending')
            .execute();
          const queued = (await campaignSends(['queued'])).length;
          return queued >= 2 * RATE || (pending.length === 0 && queued > 0) ? true : undefined;
        },
        30_000,
        20,
      );
      const reply = await sendMessage(w.app.ctx, cliActor, humanHandled[0]!, { text: 'An agent here' });
      const from = w.meta.emulator.calls().length;
      const restarted = startDispatcher(w.app.ctx, { workerId: `campaign-test-2-${dialect}`, concurrency: 1 });
      workers.push(restarted);
      await until(
        'the campaign completed',
        async () => {
          const c = (await get(`/api/v1/campaigns/${id}`)).json();
          return c.status === 'completed' && c.stats.queued === 0 ? true : undefined;
        },
        30_000,
        50,
      );
      const after = w.meta.emulator
        .calls()
        .slice(from)
        .filter((c) => c.path.endsWith('/messages') && c.status === 200);
      assert.equal((after[0]!.params.message as { metadata: string }).metadata, reply.delivery.id);
      // Queued at its pace throughout: never more than RATE queued in one second.
      const busiest = busiestWindow(
        (await campaignSends()).map((d) => d.created_at),
        1000,
      );
      assert.ok(busiest <= RATE, `${busiest} queued in one second at ${RATE}/s, across the pause`);
    },
  );

  await t.test(
    'each person got their variant, personalised, with tracked links; the closed window was skipped',
    async () => {
      const sends = await campaignSends();
      const byId = new Map(sends.map((d) => [d.id, d]));
      const calls = w.meta.emulator.calls().filter((c) => c.status === 200 && c.path.endsWith('/messages'));
      let checked = 0;
      for (const c of calls) {
        const message = c.params.message as {
          metadata: string;
          text?: string;
          attachment?: { payload: { text: string; buttons: { url: string }[] } };
        };
        const d = byId.get(message.metadata);
        if (!d) continue;
        checked++;
        const first = named.get(d.contact_id);
        if (assignVariant(id, d.contact_id, [1, 1]) === 0)
          assert.equal(message.text, `Hi ${first ?? 'there'}, new arrivals!`);
        else {
          assert.equal(message.attachment!.payload.text, `Hello ${first ?? 'friend'}`);
          assert.match(
            message.attachment!.payload.buttons[0]!.url,
            /^https:\/\/pagescope\.example\/r\/[A-Za-z0-9_-]{22}$/,
          );
        }
      }
      assert.equal(checked, REGULAR);
      const skipped = (await get(`/api/v1/campaigns/${id}/recipients?status=skipped`)).json().data;
      assert.equal(skipped.find((r: { contact_id: string }) => r.contact_id === closing)?.reason, 'outside_window');
    },
  );

  await t.test('the figures: per campaign and per variant, with reads, clicks and opt-outs as they come', async () => {
    const link = await w.app.ctx.db
      .selectFrom('campaign_links')
      .selectAll()
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 2; i++) {
      const res = await w.app.server.inject({ method: 'GET', url: `/r/${link.token}` });
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, 'https://shop.example/new');
    }
    assert.equal((await w.app.server.inject({ method: 'GET', url: '/r/AAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 404);
    const reader = (await campaignSends(['sent']))[0]!;
    await advanceDeliveries(w.app.ctx.db, reader.contact_id, 'read', Date.now());
    await w.app.ctx.db
      .updateTable('contacts')
      .set({ consent_replies: 'withdrawn', consent_replies_at: Date.now() })
      .where('id', '=', reader.contact_id)
      .execute();
    const c = (await get(`/api/v1/campaigns/${id}`)).json();
    assert.equal(c.status, 'completed');
    assert.deepEqual(
      { ...c.stats, skipped: undefined },
      {
        recipients: REGULAR + 10,
        queued: 0,
        sent: REGULAR,
        delivered: 1,
        read: 1,
        clicked: 1,
        replied: 0,
        opted_out: 1,
        failed: 0,
        skipped: undefined,
      },
    );
    assert.deepEqual(c.stats.skipped, { opted_out: 3, unreachable: 2, outside_window: 3, human_handling: 2 });
    const sum = (k: string) =>
      c.variants.reduce((a: number, v: { stats: Record<string, number> }) => a + v.stats[k]!, 0);
    for (const k of ['recipients', 'sent', 'read', 'clicked', 'opted_out']) assert.equal(sum(k), c.stats[k], k);
    assert.equal(c.variants[1].stats.clicked, 1);
    const events = await w.app.ctx.db
      .selectFrom('inbox_events')
      .selectAll()
      .where('type', '=', 'campaign.updated')
      .execute();
    assert.ok(events.length >= 4 && events.every((e) => e.campaign_id === id));
  });
}

for (const dialect of testDialects()) {
  test(`a campaign of a few hundred people through the emulator [${dialect}]`, async (t) => run(dialect, t));
}
