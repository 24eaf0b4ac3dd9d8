// A campaign's start, on each database: the start answers `starting` at once and the sender's turns freeze the
// audience a batch at a time, each its own transaction, to exactly the set the preview counted at the start (the
// filter and the exclusions as they were then); a freeze stopped after some batches goes on where it stopped and
// stores no one twice; cancel stops it, pause lets it finish and stays paused, resume before it finished makes the
// campaign starting again; two starts at once start once; one campaign's failing start or freeze holds up no other; a
// scheduled campaign falling due goes through starting.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { Dialect } from '../../src/db/types.ts';
import { campaignRoutes } from '../../src/http/routes/campaigns.ts';
import { segmentRoutes } from '../../src/http/routes/segments.ts';
import { newId } from '../../src/lib/ids.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { campaignSenderTurns, startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import { freezeAudienceStep } from '../../src/modules/campaigns/freeze-audience.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { wroteJustNow } from '../support/seed.ts';
import { until } from '../support/until.ts';
import { freezeTurn } from './freeze-steps.ts';

const PAGE = '3030303';
const DAY = 86_400_000;
const BATCH = 7;
/** Eligible people, and those left out (opted out, outside the window): more than a few batches. */
const ELIGIBLE = 30;
const OPTED_OUT = 4;
const OUTSIDE = 3;
const AUDIENCE = ELIGIBLE + OPTED_OUT + OUTSIDE;

interface Campaign {
  id: string;
  status: string;
  started_at: string | null;
  audience_frozen_at: string | null;
  stats: { recipients: number; queued: number; skipped: Record<string, number> };
}

async function run(dialect: Dialect, t: TestContext) {
  let app!: TestApp;
  const eligible = new Set<string>();
  const call = (method: 'POST' | 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload ? { payload } : {}) });
  /** How many times the campaign's start was audited. */
  const startsAudited = async (id: string) =>
    (
      await app.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('subject_id', '=', id)
        .where('action', '=', 'campaign.start')
        .execute()
    ).length;
  const campaign = async (id: string) => (await call('GET', `/api/v1/campaigns/${id}`)).json<Campaign>();
  const act = async (id: string, action: string) => {
    const res = await call('POST', `/api/v1/campaigns/${id}/${action}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Campaign>();
  };
  const stored = (id: string) =>
    app.ctx.db.selectFrom('campaign_recipients').selectAll().where('campaign_id', '=', id).execute();
  const addPerson = async (over: Partial<ContactTable> = {}) => {
    const { ctx } = app;
    const id = newId('ct');
    const now = ctx.clock.now();
    const psid = `psid-${id}`;
    await ctx.db
      .insertInto('contacts')
      .values({
        ...newContactRow({
          id,
          pageId: PAGE,
          psidBidx: ctx.keyring.blindIndex(psid, 'psid'),
          psidEnc: ctx.keyring.encrypt(psid, { table: 'contacts', column: 'psid_enc', pageId: PAGE, rowId: id }),
          at: now,
          now,
        }),
        ...wroteJustNow(now),
        ...over,
      })
      .execute();
    return id;
  };
  const create = async (over: Record<string, unknown> = {}) => {
    const res = await call('POST', `/api/v1/pages/${PAGE}/campaigns`, {
      name: 'Spring arrivals',
      kind: 'standard',
      filter: { field: 'locale', op: 'eq', value: 'en_US' },
      message: { text: 'Hi {{contact.first_name|there}}, spring is in!' },
      ...over,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<Campaign>().id;
  };
  /** Saves a segment of the Page's English (US) speakers under this name; its id. */
  const saveSegment = async (name: string) => {
    const res = await call('POST', `/api/v1/pages/${PAGE}/segments`, {
      name,
      filter: { field: 'locale', op: 'eq', value: 'en_US' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  /** Who the audience holds as the preview counts it: eligible ones, and the others by reason. */
  const previewOf = async (id: string) =>
    (await call('POST', `/api/v1/campaigns/${id}/preview`)).json<{
      recipients: number;
      eligible: number;
      by_reason: Record<string, number>;
    }>();
  const assertFrozenAsPreviewed = async (id: string, preview: Awaited<ReturnType<typeof previewOf>>) => {
    const rows = await stored(id);
    assert.equal(rows.length, preview.recipients);
    assert.equal(new Set(rows.map((r) => r.contact_id)).size, rows.length, 'no one is stored twice');
    // Eligible ones wait to be sent (or were queued already, once the campaign ran).
    const waiting = rows.filter((r) => r.status === 'pending' || r.status === 'queued');
    assert.deepEqual(new Set(waiting.map((r) => r.contact_id)), eligible);
    const reasons: Record<string, number> = {};
    for (const r of rows.filter((r) => r.status === 'skipped')) reasons[r.reason!] = (reasons[r.reason!] ?? 0) + 1;
    assert.deepEqual(reasons, preview.by_reason);
  };

  before(async () => {
    app = await createTestApp(dialect, { routes: [campaignRoutes, segmentRoutes] });
    await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAA-token-shop' });
    const now = app.ctx.clock.now();
    for (let i = 0; i < ELIGIBLE; i++) eligible.add(await addPerson());
    for (let i = 0; i < OPTED_OUT; i++) await addPerson({ consent_replies: 'withdrawn', consent_replies_at: now });
    for (let i = 0; i < OUTSIDE; i++) await addPerson({ last_user_action_at: now - 2 * DAY });
    await addPerson({ locale: 'fr_FR' });
  });
  after(async () => {
    await app?.close();
  });

  await t.test(
    "start answers `starting` at once, and the sender's turns freeze the audience batch by batch to the set the preview counted",
    async () => {
      const id = await create();
      const preview = await previewOf(id);
      assert.deepEqual(
        [preview.recipients, preview.eligible, preview.by_reason],
        [AUDIENCE, ELIGIBLE, { opted_out: OPTED_OUT, outside_window: OUTSIDE }],
      );
      const started = await act(id, 'start');
      assert.equal(started.status, 'starting');
      assert.notEqual(started.started_at, null);
      assert.equal(started.audience_frozen_at, null);
      assert.equal(started.stats.recipients, 0, 'nothing is frozen in the start itself');
      const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
      const seen: number[] = [];
      for (let i = 0; i < 20 && (await campaign(id)).status === 'starting'; i++) {
        assert.ok((await turn()) > 0, 'a freeze turn is work done');
        seen.push((await campaign(id)).stats.recipients);
      }
      assert.deepEqual(seen, [7, 14, 21, 28, 35, 37], 'one batch per turn, progress counted as it goes');
      const done = await campaign(id);
      assert.equal(done.status, 'running');
      assert.notEqual(done.audience_frozen_at, null);
      await assertFrozenAsPreviewed(id, preview);
      assert.equal(await startsAudited(id), 1);
      await act(id, 'cancel');
    },
  );

  await t.test(
    'the audience frozen is the one at start: a segment edited or windows closing after it change nothing',
    async () => {
      const segmentId = await saveSegment('English speakers');
      const id = await create({ filter: undefined, segment_id: segmentId });
      const preview = await previewOf(id);
      await act(id, 'start');
      await freezeTurn(app.ctx, id, BATCH);
      const edited = await call('PATCH', `/api/v1/segments/${segmentId}`, {
        filter: { field: 'locale', op: 'eq', value: 'fr_FR' },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      app.clock.advance(2 * DAY);
      try {
        const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
        while ((await campaign(id)).status === 'starting') await turn();
        await assertFrozenAsPreviewed(id, preview);
      } finally {
        app.clock.advance(-2 * DAY);
      }
      await act(id, 'cancel');
    },
  );

  await t.test('a freeze stopped after some batches goes on where it stopped and stores no one twice', async () => {
    const id = await create();
    const preview = await previewOf(id);
    await act(id, 'start');
    const readEarly = await app.ctx.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await freezeTurn(app.ctx, id, BATCH);
    await freezeTurn(app.ctx, id, BATCH);
    assert.equal((await stored(id)).length, 2 * BATCH);
    // A worker that read the campaign before those turns (a second process, or one that stopped mid-turn) stores
    // nothing: its batch was stored already.
    const stale = await freezeAudienceStep(app.ctx, readEarly, { batchSize: BATCH });
    assert.deepEqual([stale.moved, stale.stored], [false, 0]);
    assert.equal((await stored(id)).length, 2 * BATCH);
    // A sender started afresh (after a restart: it keeps nothing but what is stored) finishes it.
    const sender = startCampaignSender(app.ctx, { idleMs: 10, freezeBatch: BATCH });
    try {
      await until('the campaign runs', async () => ((await campaign(id)).status === 'running' ? true : undefined));
    } finally {
      await sender.stop();
    }
    await assertFrozenAsPreviewed(id, preview);
    await act(id, 'cancel');
  });

  await t.test('cancel while starting stops the freeze and cancels whoever it had stored', async () => {
    const id = await create();
    await act(id, 'start');
    // The newest contacts come first: those left out, then some eligible ones.
    await freezeTurn(app.ctx, id, OPTED_OUT + OUTSIDE + 3);
    const cancelled = await act(id, 'cancel');
    assert.equal(cancelled.status, 'cancelled');
    const next = await freezeTurn(app.ctx, id, BATCH);
    assert.deepEqual([next.moved, next.stored], [false, 0]);
    const rows = await stored(id);
    assert.equal(rows.length, OPTED_OUT + OUTSIDE + 3);
    assert.equal(rows.filter((r) => r.status === 'pending').length, 0, 'no one is left waiting to be sent');
    assert.equal(rows.filter((r) => r.status === 'cancelled').length, 3);
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    await turn();
    assert.equal((await stored(id)).length, rows.length, 'the sender leaves a cancelled campaign alone');
  });

  await t.test('pause while starting lets the freeze finish and stays paused; resume then runs it', async () => {
    const id = await create();
    const preview = await previewOf(id);
    await act(id, 'start');
    await freezeTurn(app.ctx, id, BATCH);
    assert.equal((await act(id, 'pause')).status, 'paused');
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    for (let i = 0; i < 20 && (await campaign(id)).audience_frozen_at === null; i++) await turn();
    const paused = await campaign(id);
    assert.equal(paused.status, 'paused');
    assert.notEqual(paused.audience_frozen_at, null);
    await assertFrozenAsPreviewed(id, preview);
    await turn();
    const sends = await app.ctx.db.selectFrom('deliveries').select('id').where('campaign_id', '=', id).execute();
    assert.equal(sends.length, 0, 'nothing is queued while it is paused');
    assert.equal((await act(id, 'resume')).status, 'running');
    await act(id, 'cancel');
  });

  await t.test('resume before the freeze finished makes it starting again, and it runs once frozen', async () => {
    const id = await create();
    await act(id, 'start');
    await freezeTurn(app.ctx, id, BATCH);
    await act(id, 'pause');
    const resumed = await act(id, 'resume');
    assert.equal(resumed.status, 'starting');
    assert.equal((await act(id, 'resume')).status, 'starting', 'resuming a starting campaign changes nothing');
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    for (let i = 0; i < 20 && (await campaign(id)).status === 'starting'; i++) await turn();
    assert.equal((await campaign(id)).status, 'running');
    assert.equal((await stored(id)).length, AUDIENCE);
    await act(id, 'cancel');
  });

  await t.test('two starts at once start once; a start while starting or running changes nothing', async () => {
    const id = await create();
    const [a, b] = await Promise.all([
      call('POST', `/api/v1/campaigns/${id}/start`),
      call('POST', `/api/v1/campaigns/${id}/start`),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode], [200, 200], `${a.body} ${b.body}`);
    assert.deepEqual([a.json<Campaign>().status, b.json<Campaign>().status], ['starting', 'starting']);
    assert.equal(await startsAudited(id), 1);
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    await turn();
    assert.equal((await act(id, 'start')).status, 'starting');
    for (let i = 0; i < 20 && (await campaign(id)).status === 'starting'; i++) await turn();
    assert.equal((await act(id, 'start')).status, 'running');
    assert.equal((await stored(id)).length, AUDIENCE);
    await act(id, 'cancel');
  });

  await t.test(
    'a segment a draft or a scheduled campaign will start with cannot be deleted; once they started or went, it can',
    async () => {
      const segmentId = await saveSegment('Read by campaigns not started');
      const draft = await create({ name: 'Draft on it', filter: undefined, segment_id: segmentId });
      const scheduled = await create({
        name: 'Scheduled on it',
        filter: undefined,
        segment_id: segmentId,
        schedule_at: new Date(app.clock.now() + 3_600_000).toISOString(),
      });
      assert.equal((await act(scheduled, 'start')).status, 'scheduled');
      const refused = await call('DELETE', `/api/v1/segments/${segmentId}`);
      assert.equal(refused.statusCode, 409, refused.body);
      const error = refused.json<{ error: { message: string; details: { reason: string; campaigns: unknown[] } } }>()
        .error;
      assert.match(error.message, /2 campaigns not started yet \(“Draft on it”, draft; “Scheduled on it”, scheduled\)/);
      assert.deepEqual(error.details, {
        reason: 'in_use',
        campaigns: [
          { id: draft, name: 'Draft on it', status: 'draft' },
          { id: scheduled, name: 'Scheduled on it', status: 'scheduled' },
        ],
      });
      assert.equal((await call('GET', `/api/v1/segments/${segmentId}`)).statusCode, 200, 'still there');
      // The draft starts (it keeps the filter it started with) and the scheduled one is cancelled: nothing waits on it.
      assert.equal((await act(draft, 'start')).status, 'starting');
      await act(scheduled, 'cancel');
      assert.equal((await call('DELETE', `/api/v1/segments/${segmentId}`)).statusCode, 204);
      const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
      for (let i = 0; i < 20 && (await campaign(draft)).status === 'starting'; i++) await turn();
      assert.equal((await campaign(draft)).status, 'running');
      assert.equal((await stored(draft)).length, AUDIENCE);
      await act(draft, 'cancel');
    },
  );

  await t.test("a campaign whose start or freeze fails does not hold up another's", async () => {
    const segmentId = await saveSegment('Soon deleted');
    const due = await create({
      filter: undefined,
      segment_id: segmentId,
      schedule_at: new Date(app.clock.now() + 60_000).toISOString(),
    });
    assert.equal((await act(due, 'start')).status, 'scheduled');
    // Its segment gone (the API refuses that now; a database restored from before, say).
    await app.ctx.db.deleteFrom('segments').where('id', '=', segmentId).execute();
    app.clock.advance(60_000);
    const broken = await create();
    await act(broken, 'start');
    // Its recorded filter no longer compiles (as when a field it names changed since the start).
    await app.ctx.db
      .updateTable('campaigns')
      .set({ audience_filter: JSON.stringify({ field: 'no_such_field', op: 'eq', value: 'x' }) })
      .where('id', '=', broken)
      .execute();
    const id = await create();
    await act(id, 'start');
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    for (let i = 0; i < 20 && (await campaign(id)).status === 'starting'; i++) await turn();
    assert.equal((await campaign(id)).status, 'running');
    assert.equal((await stored(id)).length, AUDIENCE);
    assert.equal((await campaign(broken)).status, 'starting');
    assert.equal((await stored(broken)).length, 0);
    assert.match(app.logs.text(), /campaign audience freeze failed/);
    assert.equal((await campaign(due)).status, 'scheduled', 'without its segment it cannot start, and waits');
    assert.match(app.logs.text(), /scheduled campaign could not start/);
    await act(due, 'cancel');
    await act(broken, 'cancel');
    await act(id, 'cancel');
  });

  await t.test('a scheduled campaign falling due goes through starting, then runs with its audience', async () => {
    const at = app.clock.now() + 3_600_000;
    const id = await create({ schedule_at: new Date(at).toISOString() });
    assert.equal((await act(id, 'start')).status, 'scheduled');
    const turn = campaignSenderTurns(app.ctx, { freezeBatch: BATCH });
    await turn();
    assert.equal((await campaign(id)).status, 'scheduled', 'not before it is due');
    app.clock.advance(3_600_000);
    await turn();
    const due = await campaign(id);
    assert.equal(due.status, 'starting');
    assert.equal(due.started_at, new Date(at).toISOString());
    assert.equal(due.stats.recipients, 0);
    for (let i = 0; i < 20 && (await campaign(id)).status === 'starting'; i++) await turn();
    assert.equal((await campaign(id)).status, 'running');
    assert.equal((await stored(id)).length, AUDIENCE);
    await act(id, 'cancel');
  });
}

for (const dialect of testDialects()) {
  test(`a campaign's start freezes its audience in batches [${dialect}]`, async (t) => run(dialect, t));
}
