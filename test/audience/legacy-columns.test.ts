// Migration 0020 on a database whose contacts still carry the old `tags` and `attributes_enc` columns: tags move to
// contact_tags, the columns go, and the old sealed attributes become one value per attribute once the keys open them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { seedContact } from '../support/seed.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { up } from '../../src/db/migrations/0020-contact-tags-and-attributes-tables.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { defineAttribute } from '../../src/modules/attributes/attribute-definitions.ts';
import { audienceOfOne } from '../../src/modules/attributes/contact-audience.ts';
import { convertLegacyAttributes } from '../../src/modules/attributes/convert-legacy-attributes.ts';
import { listDefinitionRows } from '../../src/modules/attributes/attributes.repository.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';

const PAGE = '1100000000000001';

for (const dialect of testDialects()) {
  test(`migration 0020 moves the old tags and attributes [${dialect}]`, async (t) => {
    let app!: TestApp;
    let contact = { id: '', page_id: PAGE };
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAA-token' });
      contact = {
        id: (await seedContact(app.ctx, PAGE, { psid: '1000000000000001', name: 'Ann', text: 'hi' })).contactId,
        page_id: PAGE,
      };
      await defineAttribute(app.ctx, cliActor, PAGE, { key: 'tier', type: 'number' });
      // Back to the schema before 0020, with what the old columns held.
      await sql`alter table contacts add column tags text not null default '[]'`.execute(app.ctx.db);
      await sql`alter table contacts add column attributes_enc text`.execute(app.ctx.db);
      const sealed = sealContactField(
        app.ctx,
        contact.id,
        JSON.stringify({ tier: 'gold', 'Shoe Size': 42, crm: { id: 7 } }),
        { table: 'contacts', column: 'attributes_enc', pageId: PAGE, rowId: contact.id },
      );
      await sql`update contacts set tags = ${'["VIP ", "vip", "Repeat   Buyer"]'}, attributes_enc = ${sealed}
        where id = ${contact.id}`.execute(app.ctx.db);
      await up(app.ctx.db);
    });
    after(async () => app.close());

    await t.test('tags are in contact_tags, normalised, and the two columns are gone', async () => {
      assert.deepEqual((await audienceOfOne(app.ctx, app.ctx.db, contact)).tags, ['repeat buyer', 'vip']);
      await assert.rejects(sql`select tags from contacts`.execute(app.ctx.db));
      await assert.rejects(sql`select attributes_enc from contacts`.execute(app.ctx.db));
    });

    await t.test('the old attributes become values, undefined keys personal text, nothing lost', async () => {
      assert.equal(await convertLegacyAttributes(app.ctx), 1);
      assert.deepEqual((await audienceOfOne(app.ctx, app.ctx.db, contact)).attributes, {
        crm: '{"id":7}',
        shoe_size: '42',
        tier_legacy: 'gold',
      });
      const defs = await listDefinitionRows(app.ctx.db, [PAGE]);
      assert.deepEqual(
        defs.map((d) => `${d.key}:${d.type}:${d.personal}`),
        ['crm:text:1', 'shoe_size:text:1', 'tier:number:0', 'tier_legacy:text:1'],
      );
      assert.equal(await convertLegacyAttributes(app.ctx), 0, 'nothing is left to convert');
    });
  });
}
