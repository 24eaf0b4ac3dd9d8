// Tags and typed attributes through the REST API: who may do what, the storage rule segments read (non-personal
// values in value_text/value_num, personal ones sealed with a blind index), idempotence, audit and inbox events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { seedContact } from '../support/seed.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { attributeBlindIndex } from '../../src/modules/attributes/attribute-index.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { tokenFor } from '../ingest/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

for (const dialect of testDialects()) {
  describe(`tags and attributes over the API [${dialect}]`, () => {
    let app!: TestApp;
    let admin = '';
    let agent = '';
    let analyst = '';
    let contactId = '';
    let otherId = '';
    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
      admin = await tokenFor(app, 'admin', [PAGE_A]);
      agent = await tokenFor(app, 'agent', [PAGE_A]);
      analyst = await tokenFor(app, 'analyst', [PAGE_A]);
      contactId = (await seedContact(app.ctx, PAGE_A, { psid: '1000000000000001', name: 'Ann', text: 'hi' })).contactId;
      otherId = (await seedContact(app.ctx, PAGE_A, { psid: '1000000000000002', name: 'Bo', text: 'yo' })).contactId;
    });
    after(async () => app.close());

    const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(token), ...(payload && { payload }) });
    const audits = async (action: string) =>
      app.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();
    const contactEvents = async () =>
      (
        await app.ctx.db
          .selectFrom('inbox_events')
          .select('seq')
          .where('type', '=', 'contact.updated')
          .where('contact_id', '=', contactId)
          .execute()
      ).length;

    test('an agent tags a contact: normalised, idempotent, audited with counts, announced to the inbox', async () => {
      const events = await contactEvents();
      const res = await call(agent, 'POST', `/api/v1/contacts/${contactId}/tags`, {
        tags: ['  VIP ', 'Repeat  Buyer'],
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { contact_id: contactId, tags: ['repeat buyer', 'vip'] });
      const again = await call(agent, 'POST', `/api/v1/contacts/${contactId}/tags`, { tags: ['vip'] });
      assert.deepEqual(again.json().tags, ['repeat buyer', 'vip']);
      const rows = await audits('contact.tags.add');
      assert.equal(rows.length, 1, 'the repeat wrote no audit row');
      assert.deepEqual(JSON.parse(rows[0]!.details!), { added: 2 });
      assert.equal(await contactEvents(), events + 1);
      const contact = (await call(agent, 'GET', `/api/v1/contacts/${contactId}`)).json();
      assert.deepEqual(contact.tags, ['repeat buyer', 'vip']);
    });

    test('a tag that is not one is a 400 naming its place; an analyst may not tag', async () => {
      const bad = await call(agent, 'POST', `/api/v1/contacts/${contactId}/tags`, { tags: ['ok', '<b>'] });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /^tags\[1\]/);
      const denied = await call(analyst, 'POST', `/api/v1/contacts/${contactId}/tags`, { tags: ['x'] });
      assert.equal(denied.statusCode, 403);
    });

    test("the Page's tags come with their counts", async () => {
      await call(agent, 'POST', `/api/v1/contacts/${otherId}/tags`, { tags: ['vip'] });
      const res = await call(analyst, 'GET', `/api/v1/pages/${PAGE_A}/tags`);
      assert.deepEqual(res.json().data, [
        { tag: 'repeat buyer', count: 1 },
        { tag: 'vip', count: 2 },
      ]);
    });

    test('untagging removes the tag once; a second time changes nothing', async () => {
      const res = await call(agent, 'DELETE', `/api/v1/contacts/${contactId}/tags/Repeat%20Buyer`);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().tags, ['vip']);
      await call(agent, 'DELETE', `/api/v1/contacts/${contactId}/tags/repeat%20buyer`);
      assert.equal((await audits('contact.tags.remove')).length, 1);
    });

    test('only owners and admins define attributes; keys and types are checked', async () => {
      const denied = await call(agent, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, {
        key: 'tier',
        type: 'text',
      });
      assert.equal(denied.statusCode, 403);
      const badKey = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, {
        key: 'Tier',
        type: 'text',
      });
      assert.equal(badKey.statusCode, 400);
      for (const [key, type, personal] of [
        ['tier', 'text', false],
        ['lifetime_value', 'number', false],
        ['birthday', 'date', true],
        ['newsletter', 'boolean', false],
        ['sizes', 'list', false],
        ['email', 'text', true],
      ] as const) {
        const res = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, { key, type, personal });
        assert.equal(res.statusCode, 201, res.body);
        assert.deepEqual([res.json().key, res.json().type, res.json().personal], [key, type, personal]);
      }
      const same = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, {
        key: 'tier',
        type: 'text',
      });
      assert.equal(same.statusCode, 200);
      const list = await call(agent, 'GET', `/api/v1/pages/${PAGE_A}/attribute-definitions`);
      assert.deepEqual(
        list.json().data.map((d: { key: string }) => d.key),
        ['birthday', 'email', 'lifetime_value', 'newsletter', 'sizes', 'tier'],
      );
      assert.equal((await audits('attribute_definition.create')).length, 6);
    });

    test('an agent sets typed values, stored as segments read them; personal ones sealed with a blind index', async () => {
      const res = await call(agent, 'PATCH', `/api/v1/contacts/${contactId}/attributes`, {
        tier: ' gold ',
        lifetime_value: 120.5,
        birthday: '1990-04-01',
        newsletter: true,
        sizes: ['M', 'L'],
        email: 'Ann@Example.com',
      });
      assert.equal(res.statusCode, 200, res.body);
      const expected = {
        tier: 'gold',
        lifetime_value: 120.5,
        birthday: '1990-04-01',
        newsletter: true,
        sizes: ['M', 'L'],
        email: 'Ann@Example.com',
      };
      assert.deepEqual(res.json().attributes, expected);
      assert.deepEqual((await call(agent, 'GET', `/api/v1/contacts/${contactId}`)).json().attributes, expected);
      const rows = await app.ctx.db
        .selectFrom('contact_attributes')
        .selectAll()
        .where('contact_id', '=', contactId)
        .execute();
      const by = new Map(rows.map((r) => [r.key, r]));
      assert.deepEqual([by.get('tier')!.value_text, by.get('tier')!.value_num], ['gold', null]);
      assert.equal(by.get('lifetime_value')!.value_num, 120.5);
      assert.equal(by.get('birthday')!.value_enc !== null, true);
      assert.equal(by.get('newsletter')!.value_num, 1);
      assert.equal(by.get('sizes')!.value_text, '["M","L"]');
      const email = by.get('email')!;
      assert.deepEqual([email.value_text, email.value_num], [null, null]);
      assert.equal(email.value_enc!.includes('Ann'), false);
      assert.equal(email.value_bidx, attributeBlindIndex(app.ctx.keyring, 'email', 'ann@example.com'));
      const audit = await audits('contact.attributes.update');
      assert.equal(audit.length, 1);
      assert.deepEqual(JSON.parse(audit[0]!.details!).keys, [
        'birthday',
        'email',
        'lifetime_value',
        'newsletter',
        'sizes',
        'tier',
      ]);
      assert.equal(audit[0]!.details!.includes('gold'), false);
    });

    test('a value of the wrong type or an undefined key is a 400 naming the key, and nothing is written', async () => {
      const wrong = await call(agent, 'PATCH', `/api/v1/contacts/${contactId}/attributes`, {
        tier: 'silver',
        lifetime_value: 'a lot',
      });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.json().error.message, /^lifetime_value: must be a number/);
      const unknown = await call(agent, 'PATCH', `/api/v1/contacts/${contactId}/attributes`, { shoe_size: 42 });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.json().error.message, /^shoe_size: not an attribute of this Page/);
      const contact = (await call(agent, 'GET', `/api/v1/contacts/${contactId}`)).json();
      assert.equal(contact.attributes.tier, 'gold');
    });

    test('null removes a value; setting the same value again changes nothing', async () => {
      const res = await call(agent, 'PATCH', `/api/v1/contacts/${contactId}/attributes`, {
        tier: 'gold',
        newsletter: null,
      });
      assert.equal(res.statusCode, 200);
      assert.equal('newsletter' in res.json().attributes, false);
      const audit = await audits('contact.attributes.update');
      assert.deepEqual(JSON.parse(audit[1]!.details!).keys, ['newsletter']);
    });

    test('a definition whose key holds values keeps its type (409); one without values may change', async () => {
      const res = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, {
        key: 'tier',
        type: 'number',
      });
      assert.equal(res.statusCode, 409);
      assert.match(res.json().error.message, /^tier:/);
      const free = await call(admin, 'POST', `/api/v1/pages/${PAGE_A}/attribute-definitions`, {
        key: 'newsletter',
        type: 'text',
      });
      assert.equal(free.statusCode, 200, free.body);
      assert.equal(free.json().type, 'text');
    });

    test("another Page's contact and Page are not found", async () => {
      const b = await seedContact(app.ctx, PAGE_B, { psid: '2000000000000001', name: 'Bea', text: 'hey' });
      const res = await call(agent, 'PATCH', `/api/v1/contacts/${b.contactId}/attributes`, { tier: 'x' });
      assert.equal(res.statusCode, 404);
      assert.equal((await call(agent, 'GET', `/api/v1/pages/${PAGE_B}/tags`)).statusCode, 404);
    });
  });
}
