// Editing a campaign before it runs, on each database: the preview of a campaign not saved yet answers exactly what
// the saved campaign's preview answers for the same body (one code path, one audience query), refuses what creation
// refuses, renders the message for a chosen contact of the Page, and writes nothing; a draft is edited with PATCH
// (audited, a stale version refused), and a campaign that already runs cannot be edited.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import type { Dialect } from '../../src/db/types.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { campaignRoutes } from '../../src/http/routes/campaigns.ts';
import { newId } from '../../src/lib/ids.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { wroteJustNow } from '../support/seed.ts';

const PAGE = '1010101';
const OTHER_PAGE = '2020202';
const DAY = 86_400_000;

async function run(dialect: Dialect, t: TestContext) {
  let app!: TestApp;
  const people: Record<string, string> = {};
  let stranger = '';

  const addPerson = async (pageId: string, first: string, over: Partial<ContactTable> = {}) => {
    const { ctx } = app;
    const id = newId('ct');
    const now = ctx.clock.now();
    const psid = `psid-${first}-${id}`;
    const at = (column: string) => ({ table: 'contacts', column, pageId, rowId: id });
    await ctx.db
      .insertInto('contacts')
      .values({
        ...newContactRow({
          id,
          pageId,
          psidBidx: ctx.keyring.blindIndex(psid, 'psid'),
          psidEnc: ctx.keyring.encrypt(psid, at('psid_enc')),
          at: now,
          now,
        }),
        ...wroteJustNow(now),
        first_name_enc: sealContactField(ctx, id, first, at('first_name_enc')),
        ...over,
      })
      .execute();
    return id;
  };
  const call = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown, headers: object = {}) =>
    app.server.inject({
      method,
      url,
      headers: { ...bearer(app.ownerToken), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const rowsOf = async () => ({
    campaigns: (await app.ctx.db.selectFrom('campaigns').select('id').execute()).length,
    audit: (await app.ctx.db.selectFrom('audit_events').select('id').execute()).length,
    events: (await app.ctx.db.selectFrom('inbox_events').select('seq').execute()).length,
  });

  const body = {
    name: 'Winter arrivals',
    kind: 'standard',
    filter: { field: 'locale', op: 'eq', value: 'en_US' },
    message: { text: 'Hi {{contact.first_name|there}}, the winter collection is in!' },
  };

  before(async () => {
    app = await createTestApp(dialect, { routes: [campaignRoutes] });
    await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAA-token-shop' });
    await registerPage(app.ctx, cliActor, { id: OTHER_PAGE, name: 'Other', access_token: 'EAA-token-other' });
    const now = app.ctx.clock.now();
    for (const first of ['Maya', 'Jonas', 'Aiko']) people[first] = await addPerson(PAGE, first);
    people.Lena = await addPerson(PAGE, 'Lena', { consent_replies: 'withdrawn', consent_replies_at: now });
    people.Omar = await addPerson(PAGE, 'Omar', { last_user_action_at: now - 2 * DAY });
    people.Pierre = await addPerson(PAGE, 'Pierre', { locale: 'fr_FR' });
    stranger = await addPerson(OTHER_PAGE, 'Stranger');
  });
  after(async () => {
    await app?.close();
  });

  await t.test('the preview of an unsaved campaign is the saved campaign’s preview for the same body', async () => {
    const unsaved = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, body);
    assert.equal(unsaved.statusCode, 200, unsaved.body);
    const created = await call('POST', `/api/v1/pages/${PAGE}/campaigns`, body);
    assert.equal(created.statusCode, 201, created.body);
    const saved = await call('POST', `/api/v1/campaigns/${created.json<{ id: string }>().id}/preview`);
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(unsaved.json(), saved.json());
    const p = unsaved.json<{ recipients: number; eligible: number; by_reason: object; sample: { text: string }[] }>();
    assert.equal(p.recipients, 5);
    assert.equal(p.eligible, 3);
    assert.deepEqual(p.by_reason, { opted_out: 1, outside_window: 1 });
    assert.deepEqual(p.sample.map((s) => s.text).sort(), [
      'Hi Aiko, the winter collection is in!',
      'Hi Jonas, the winter collection is in!',
      'Hi Maya, the winter collection is in!',
    ]);
  });

  await t.test('edits of a saved A/B draft preview with its variants, as its saved preview does', async () => {
    const ab = {
      ...body,
      message: undefined,
      variants: [
        { weight: 1, message: { text: 'A: hi {{contact.first_name}}' } },
        { weight: 1, message: { text: 'B: hello {{contact.first_name}}' } },
      ],
    };
    const created = await call('POST', `/api/v1/pages/${PAGE}/campaigns`, ab);
    const id = created.json<{ id: string }>().id;
    const saved = await call('POST', `/api/v1/campaigns/${id}/preview`);
    const edits = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...ab, campaign_id: id });
    assert.equal(edits.statusCode, 200, edits.body);
    assert.deepEqual(edits.json(), saved.json());
    const missing = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...ab, campaign_id: 'cp_missing' });
    assert.equal(missing.statusCode, 404, missing.body);
  });

  await t.test('it needs no name, and writes nothing', async () => {
    const before = await rowsOf();
    const { name: _, ...nameless } = body;
    const r = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, nameless);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(await rowsOf(), before);
  });

  await t.test('with contact_id it renders the message for that contact, and says why they are left out', async () => {
    const maya = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...body, contact_id: people.Maya });
    assert.deepEqual(
      { ...maya.json<{ contact: object }>().contact, message: undefined },
      {
        contact_id: people.Maya,
        variant: 0,
        text: 'Hi Maya, the winter collection is in!',
        message: undefined,
        reason: null,
        in_audience: true,
        exclusion: null,
      },
    );
    const lena = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...body, contact_id: people.Lena });
    const c = lena.json<{ contact: { text: string; in_audience: boolean; exclusion: string } }>().contact;
    assert.equal(c.text, 'Hi Lena, the winter collection is in!');
    assert.equal(c.in_audience, true);
    assert.equal(c.exclusion, 'opted_out');
    const pierre = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, {
      ...body,
      contact_id: people.Pierre,
    });
    assert.equal(pierre.json<{ contact: { in_audience: boolean } }>().contact.in_audience, false);
  });

  await t.test('a contact of another Page is not found, exactly like a missing one', async () => {
    for (const id of [stranger, 'ct_missing']) {
      const r = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...body, contact_id: id });
      assert.equal(r.statusCode, 404, r.body);
    }
  });

  await t.test('a content that does not fit its kind is the 400 creation answers, with the reason', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'utility' }, 'utility_requires_template'],
      [{ message: undefined }, 'message_required'],
      [{ message: { text: 'Hi {{contact.frist_name}}' } }, 'unknown_variable'],
      [{ filter: undefined }, 'audience_required'],
    ];
    for (const [over, reason] of cases) {
      const preview = await call('POST', `/api/v1/pages/${PAGE}/campaigns/preview`, { ...body, ...over });
      const create = await call('POST', `/api/v1/pages/${PAGE}/campaigns`, { ...body, ...over });
      assert.equal(preview.statusCode, 400, `${reason}: ${preview.body}`);
      assert.equal(create.statusCode, 400, `${reason}: ${create.body}`);
      const details = (r: typeof preview) => r.json<{ error: { details: { reason: string } } }>().error.details;
      assert.equal(details(preview).reason, reason);
      assert.deepEqual(details(preview), details(create));
    }
  });

  await t.test('a draft is edited, audited, and previews as edited', async () => {
    const created = (await call('POST', `/api/v1/pages/${PAGE}/campaigns`, body)).json<{
      id: string;
      version: number;
    }>();
    const patched = await call(
      'PATCH',
      `/api/v1/campaigns/${created.id}`,
      { name: 'Winter arrivals, in French', filter: { field: 'locale', op: 'eq', value: 'fr_FR' } },
      { 'if-match': `"${created.version}"` },
    );
    assert.equal(patched.statusCode, 200, patched.body);
    const c = patched.json<{ name: string; version: number; message: { text: string }; status: string }>();
    assert.equal(c.name, 'Winter arrivals, in French');
    assert.equal(c.version, created.version + 1);
    assert.equal(c.message.text, body.message.text, 'what the edit did not name is kept');
    assert.equal(c.status, 'draft');
    const preview = (await call('POST', `/api/v1/campaigns/${created.id}/preview`)).json<{ recipients: number }>();
    assert.equal(preview.recipients, 1);
    const audit = await app.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'campaign.update')
      .where('subject_id', '=', created.id)
      .execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(JSON.parse(audit[0]!.details ?? '{}'), { fields: ['name', 'filter'] });
  });

  await t.test('an edit from a stale screen is a conflict and changes nothing', async () => {
    const created = (await call('POST', `/api/v1/pages/${PAGE}/campaigns`, body)).json<{
      id: string;
      version: number;
    }>();
    const first = await call(
      'PATCH',
      `/api/v1/campaigns/${created.id}`,
      { message: { text: 'First tab' } },
      { 'if-match': String(created.version) },
    );
    assert.equal(first.statusCode, 200, first.body);
    const second = await call(
      'PATCH',
      `/api/v1/campaigns/${created.id}`,
      { message: { text: 'Second tab' } },
      { 'if-match': String(created.version) },
    );
    assert.equal(second.statusCode, 409, second.body);
    assert.equal(second.json<{ error: { details: { reason: string } } }>().error.details.reason, 'stale');
    const now = (await call('GET', `/api/v1/campaigns/${created.id}`)).json<{ message: { text: string } }>();
    assert.equal(now.message.text, 'First tab');
  });

  await t.test('an edit refused by the checks is the 400 creation answers, and changes nothing', async () => {
    const created = (await call('POST', `/api/v1/pages/${PAGE}/campaigns`, body)).json<{ id: string }>();
    const r = await call('PATCH', `/api/v1/campaigns/${created.id}`, { kind: 'utility' });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(
      r.json<{ error: { details: { reason: string } } }>().error.details.reason,
      'utility_requires_template',
    );
    const now = (await call('GET', `/api/v1/campaigns/${created.id}`)).json<{ kind: string; version: number }>();
    assert.equal(now.kind, 'standard');
    assert.equal(now.version, 1);
  });

  await t.test('a started campaign cannot be edited: 409 wrong_status', async () => {
    const created = (await call('POST', `/api/v1/pages/${PAGE}/campaigns`, body)).json<{ id: string }>();
    const started = await call('POST', `/api/v1/campaigns/${created.id}/start`);
    assert.equal(started.statusCode, 200, started.body);
    assert.equal(started.json<{ status: string }>().status, 'starting');
    const r = await call('PATCH', `/api/v1/campaigns/${created.id}`, { name: 'Too late' });
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json<{ error: { code: string; details: { reason: string } } }>().error.code, 'conflict');
    assert.equal(r.json<{ error: { details: { reason: string } } }>().error.details.reason, 'wrong_status');
    const now = (await call('GET', `/api/v1/campaigns/${created.id}`)).json<{ name: string }>();
    assert.equal(now.name, body.name);
  });
}

for (const dialect of testDialects()) {
  test(`editing a campaign before it runs [${dialect}]`, async (t) => run(dialect, t));
}
