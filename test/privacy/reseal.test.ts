import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { hasContactLayer, openContactField } from '../../src/crypto/contact-layer.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';
import { resealContactFields } from '../../src/modules/privacy/reseal-contact-fields.ts';
import { seedContact, type SeededContact } from './seed.ts';

for (const dialect of testDialects()) {
  test(`re-sealing values written before the per-contact layer [${dialect}]`, async (t) => {
    let app!: TestApp;
    let legacy!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect);
      legacy = await seedContact(app.ctx);
      await seedContact(app.ctx, { contactLayer: true });
    });
    after(async () => {
      await app.close();
    });
    const psid = async () => {
      const c = await app.ctx.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', legacy.contactId)
        .executeTakeFirstOrThrow();
      return { value: c.psid_enc, field: { table: 'contacts', column: 'psid_enc', pageId: c.page_id, rowId: c.id } };
    };

    await t.test(
      'moves every keyring-only value of every personal-data table under its contact key, values unchanged',
      async () => {
        const before = await psid();
        assert.equal(hasContactLayer(app.ctx, before.value, before.field), false);
        const r = await resealContactFields(app.ctx, { batchSize: 2 });
        // The seed wrote each contact's ciphertexts plus one blind index; only the legacy contact's needed the move.
        const perContact = legacy.stored.length - 1;
        assert.deepEqual(r, { scanned: 2 * perContact, resealed: perContact, failed: 0 });
        const now = await psid();
        assert.equal(hasContactLayer(app.ctx, now.value, now.field), true);
        assert.equal(openContactField(app.ctx, legacy.contactId, now.value, now.field), legacy.psid);
      },
    );

    await t.test('running it again changes nothing', async () => {
      assert.deepEqual(await resealContactFields(app.ctx), {
        scanned: 2 * (legacy.stored.length - 1),
        resealed: 0,
        failed: 0,
      });
    });

    await t.test('after re-sealing, erasure makes the earlier copy undecryptable too', async () => {
      const copy = await psid();
      await eraseContactData(app.ctx, legacy.contactId);
      assert.throws(() => openContactField(app.ctx, legacy.contactId, copy.value, copy.field), {
        code: 'decryption_failed',
      });
    });
  });
}
