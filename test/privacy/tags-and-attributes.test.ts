// Tags and attribute values set through the product (personal ones sealed under the contact's key) are the person's:
// the access export shows every one of them readable, and erasure leaves none, nor any copy of a personal value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { seedContact } from '../support/seed.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { defineAttribute } from '../../src/modules/attributes/attribute-definitions.ts';
import { addContactTags } from '../../src/modules/attributes/contact-tags.ts';
import { setContactAttributes } from '../../src/modules/attributes/set-attributes.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { buildContactExport } from '../../src/modules/privacy/export-contact.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';

const PAGE = '1100000000000001';
const EMAIL = 'canary-tags-attributes@example.com';

for (const dialect of testDialects()) {
  test(`tags and attributes in the access export and in erasure [${dialect}]`, async (t) => {
    let app!: TestApp;
    let person = '';
    let bystander = '';
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAA-token' });
      person = (await seedContact(app.ctx, PAGE, { psid: '1000000000000001', name: 'Ann', text: 'hi' })).contactId;
      bystander = (await seedContact(app.ctx, PAGE, { psid: '1000000000000002', name: 'Bo', text: 'yo' })).contactId;
      await defineAttribute(app.ctx, cliActor, PAGE, { key: 'email', type: 'text', personal: true });
      await defineAttribute(app.ctx, cliActor, PAGE, { key: 'sizes', type: 'list' });
      await defineAttribute(app.ctx, cliActor, PAGE, { key: 'lifetime_value', type: 'number' });
      await defineAttribute(app.ctx, cliActor, PAGE, { key: 'birthday', type: 'date' });
      for (const id of [person, bystander]) {
        await addContactTags(app.ctx, cliActor, id, ['VIP', 'wholesale']);
        await setContactAttributes(app.ctx, cliActor, id, {
          email: EMAIL,
          sizes: ['M'],
          lifetime_value: 99,
          birthday: '1990-04-01',
        });
      }
    });
    after(async () => app.close());

    await t.test('the export lists every tag and every value, a personal one decrypted', async () => {
      const doc = await buildContactExport(app.ctx, app.ctx.db, person);
      assert.deepEqual(doc.tables.contact_tags!.map((r) => r.tag).sort(), ['vip', 'wholesale']);
      const values = Object.fromEntries(doc.tables.contact_attributes!.map((r) => [r.key, r.value]));
      assert.deepEqual(values, { email: EMAIL, sizes: ['M'], lifetime_value: 99, birthday: '1990-04-01' });
      assert.equal(doc.counts.contact_tags, 2);
    });

    await t.test('the personal value is nowhere in the clear in the database', async () => {
      const rows = await app.ctx.db.selectFrom('contact_attributes').selectAll().execute();
      assert.equal(JSON.stringify(rows).includes(EMAIL), false);
      const audit = await app.ctx.db.selectFrom('audit_events').select('details').execute();
      assert.equal(JSON.stringify(audit).includes(EMAIL), false, 'an audit row holds the value');
    });

    await t.test("erasure removes the person's tags and values and no one else's", async () => {
      const counts = await eraseContactData(app.ctx, person);
      assert.equal(counts.tables.contact_tags, 2);
      assert.equal(counts.tables.contact_attributes, 4);
      const left = async (table: 'contact_tags' | 'contact_attributes', id: string) =>
        (await app.ctx.db.selectFrom(table).select('contact_id').where('contact_id', '=', id).execute()).length;
      assert.deepEqual([await left('contact_tags', person), await left('contact_attributes', person)], [0, 0]);
      assert.deepEqual([await left('contact_tags', bystander), await left('contact_attributes', bystander)], [2, 4]);
    });
  });
}
