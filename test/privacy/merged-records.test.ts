// A person whose records were merged (a PSID that changed, or an operator's merge) is one person to an access or an
// erasure request, whichever of the records the request names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { mergeContacts } from '../../src/modules/contacts/merge-contacts.ts';
import { buildContactExport } from '../../src/modules/privacy/export-contact.ts';
import { eraseContactData, erasedRowCount } from '../../src/modules/privacy/erase-contact.ts';
import { personalTables } from '../../src/modules/privacy/personal-data.repository.ts';
import { seedContact, type SeededContact } from './seed.ts';

/** Every row, in every personal-data table, that still belongs to the contact. */
async function rowsLeft(app: TestApp, contactId: string): Promise<number> {
  let n = 0;
  for (const p of personalTables()) {
    const rows = await app.ctx.db
      .selectFrom(p.table as 'contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(p.t.contactColumn as 'id', '=', contactId)
      .executeTakeFirstOrThrow();
    n += Number(rows.n);
  }
  return n;
}

for (const dialect of testDialects()) {
  test(`merged records in privacy requests [${dialect}]`, async (t) => {
    let app!: TestApp;
    let kept!: SeededContact;
    let mergedAway!: SeededContact;
    let bystander!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect);
      kept = await seedContact(app.ctx, { contactLayer: true });
      mergedAway = await seedContact(app.ctx, { contactLayer: true });
      bystander = await seedContact(app.ctx, { contactLayer: true });
      await mergeContacts(app.ctx, cliActor, mergedAway.contactId, kept.contactId);
    });
    after(async () => {
      await app.close();
    });

    await t.test('the export of the kept record holds the merged record and its history, and nobody else', async () => {
      const doc = JSON.stringify(await buildContactExport(app.ctx, app.ctx.db, kept.contactId));
      for (const c of [...kept.canaries, ...mergedAway.canaries].filter((x) => !x.includes('-raw-')))
        assert.ok(doc.includes(c), `the export lacks ${c}`);
      for (const c of bystander.canaries)
        assert.equal(doc.includes(c), false, "another person's data is in the export");
    });

    await t.test(
      'the export asked for through the merged record names that record and holds the kept one too',
      async () => {
        const exported = await buildContactExport(app.ctx, app.ctx.db, mergedAway.contactId);
        assert.equal(exported.psid, mergedAway.psid);
        assert.ok(JSON.stringify(exported).includes(kept.psid));
      },
    );

    await t.test('erasing the kept record erases the merged record with it', async () => {
      await eraseContactData(app.ctx, kept.contactId);
      assert.equal(await rowsLeft(app, kept.contactId), 0);
      assert.equal(
        await rowsLeft(app, mergedAway.contactId),
        0,
        'the merged record outlived the erasure of its person',
      );
      const raw = await app.ctx.db
        .selectFrom('webhook_posts')
        .select('body_enc')
        .where('id', 'in', [kept.deliveryId, mergedAway.deliveryId])
        .execute();
      assert.ok(
        raw.every((r) => r.body_enc === null),
        'a raw delivery of the person kept its body',
      );
    });

    await t.test('erasing the person again, through either record, finds nothing and changes nothing', async () => {
      for (const id of [kept.contactId, mergedAway.contactId])
        assert.equal(erasedRowCount(await eraseContactData(app.ctx, id)), 0);
    });

    await t.test('a bystander on the same Page keeps everything', async () => {
      assert.ok((await rowsLeft(app, bystander.contactId)) >= personalTables().length - 1);
    });
  });

  test(`erasure asked for through a merged record [${dialect}]`, async () => {
    const app = await createTestApp(dialect);
    try {
      const kept = await seedContact(app.ctx, { contactLayer: true });
      const mergedAway = await seedContact(app.ctx, { contactLayer: true });
      await mergeContacts(app.ctx, cliActor, mergedAway.contactId, kept.contactId);
      await eraseContactData(app.ctx, mergedAway.contactId);
      assert.equal(await rowsLeft(app, mergedAway.contactId), 0);
      assert.equal(
        await rowsLeft(app, kept.contactId),
        0,
        'the record the person was merged into outlived the erasure',
      );
    } finally {
      await app.close();
    }
  });
}
