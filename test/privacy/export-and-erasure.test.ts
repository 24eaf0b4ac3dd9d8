import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { privacyRoutes } from '../../src/http/routes/privacy.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';
import { personalTables } from '../../src/modules/privacy/personal-data.repository.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';
import { runDueRequests } from '../../src/modules/privacy/run-requests.ts';
import { seedContact, seedPage, type SeededContact } from './seed.ts';

const psidField = (s: SeededContact) => ({
  table: 'contacts',
  column: 'psid_enc',
  pageId: s.pageId,
  rowId: s.contactId,
});

for (const dialect of testDialects()) {
  test(`access and erasure requests [${dialect}]`, async (t) => {
    let app!: TestApp;
    let person!: SeededContact;
    let bystander!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect, { routes: [privacyRoutes] });
      person = await seedContact(app.ctx, { contactLayer: true });
      bystander = await seedContact(app.ctx, { contactLayer: true });
    });
    after(async () => {
      await app.close();
    });
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });

    await t.test('an access request answers 202 with its deadline, one calendar month away under GDPR', async () => {
      const res = await api('POST', '/api/v1/privacy/requests', { type: 'access', contact_id: person.contactId });
      assert.equal(res.statusCode, 202);
      const body = res.json();
      assert.equal(body.status, 'pending');
      assert.equal(body.due_at, '2026-12-28T12:00:00.000Z');
    });

    await t.test('the export holds an entry from every personal-data table of the registry, decrypted', async () => {
      await runDueRequests(app.ctx);
      const [req] = (await api('GET', '/api/v1/privacy/requests')).json().data;
      assert.equal(req.status, 'completed');
      const res = await api('GET', `/api/v1/privacy/requests/${req.id}/export`);
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.equal(doc.psid, person.psid);
      for (const { table } of personalTables())
        assert.ok(doc.tables[table]?.length >= 1, `the export has no entry from ${table}`);
      for (const c of person.canaries.filter((x) => !x.includes('-raw-')))
        assert.ok(res.body.includes(c), `the export lacks ${c}`);
      for (const c of bystander.canaries)
        assert.equal(res.body.includes(c), false, "another contact's data leaked into the export");
      assert.equal(res.body.includes(person.psidBidx), false, 'a blind index is not personal data to hand out');
    });

    await t.test('every read of the export is audited', async () => {
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'privacy.export.read')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor_type, 'token');
    });

    await t.test("another Page's contact is a 404, exactly like a missing one", async () => {
      await seedPage(app.ctx, '2002');
      const other = await createToken(app.ctx, cliActor, {
        name: 'other page admin',
        role: 'admin',
        pageIds: ['2002'],
      });
      const ask = (token: string, contactId: string) =>
        app.server.inject({
          method: 'POST',
          url: '/api/v1/privacy/requests',
          headers: bearer(token),
          payload: { type: 'erasure', contact_id: contactId },
        });
      const hidden = await ask(other.token, person.contactId);
      const missing = await ask(other.token, 'ct_missing');
      assert.equal(hidden.statusCode, 404);
      assert.deepEqual({ ...hidden.json().error, request_id: null }, { ...missing.json().error, request_id: null });
      assert.equal((await api('GET', '/api/v1/privacy/requests')).json().data.length, 1, 'and nothing was opened');
      const [mine] = (await api('GET', '/api/v1/privacy/requests')).json().data;
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/export'],
        ['POST', '/extend'],
        ['POST', '/resolve'],
        ['GET', '/app-scoped-id'],
      ] as const) {
        const res = await app.server.inject({
          method,
          url: `/api/v1/privacy/requests/${mine.id}${suffix}`,
          headers: bearer(other.token),
          ...(method === 'POST' && { payload: {} }),
        });
        assert.equal(res.statusCode, 404, `${method} …${suffix} answered ${res.statusCode}`);
      }
    });

    let backupFile = '';
    let copiedPsid = '';
    await t.test(
      'erasure removes the contact from every table, purges its raw deliveries and leaves a tombstone',
      async () => {
        if (dialect === 'sqlite') {
          await sql`pragma wal_checkpoint(TRUNCATE)`.execute(app.ctx.db);
          backupFile = join(app.database.dataDir, 'backup.db');
          copyFileSync(app.database.file!, backupFile);
        }
        copiedPsid = (
          await app.ctx.db
            .selectFrom('contacts')
            .select('psid_enc')
            .where('id', '=', person.contactId)
            .executeTakeFirstOrThrow()
        ).psid_enc;
        assert.equal(openContactField(app.ctx, person.contactId, copiedPsid, psidField(person)), person.psid);

        const res = await api('POST', '/api/v1/privacy/requests', { type: 'erasure', contact_id: person.contactId });
        assert.equal(res.statusCode, 202);
        await runDueRequests(app.ctx);
        const done = (await api('GET', `/api/v1/privacy/requests/${res.json().id}`)).json();
        assert.equal(done.status, 'completed');
        assert.equal(done.result.key_destroyed, true);
        assert.equal(done.result.raw_deliveries, 1);
        assert.equal(done.result.tables.messages, 2);

        for (const p of personalTables()) {
          const n = await sql<{
            n: number;
          }>`select count(*) as n from ${sql.table(p.table)} where ${sql.ref(p.t.contactColumn)} = ${person.contactId}`.execute(
            app.ctx.db,
          );
          assert.equal(Number(n.rows[0]!.n), 0, `${p.table} still holds the contact`);
        }
        assert.equal(
          await app.ctx.db
            .selectFrom('contacts')
            .select('id')
            .where('psid_bidx', '=', person.psidBidx)
            .executeTakeFirst(),
          undefined,
        );
        const raw = await app.ctx.db
          .selectFrom('webhook_posts')
          .selectAll()
          .where('id', '=', person.deliveryId)
          .executeTakeFirstOrThrow();
        assert.equal(raw.body_enc, null);
      },
    );

    await t.test("leaves the other contact's data whole and readable", async () => {
      const row = await app.ctx.db
        .selectFrom('contacts')
        .select('psid_enc')
        .where('id', '=', bystander.contactId)
        .executeTakeFirstOrThrow();
      assert.equal(openContactField(app.ctx, bystander.contactId, row.psid_enc, psidField(bystander)), bystander.psid);
      assert.equal(
        (await app.ctx.db.selectFrom('messages').select('id').where('contact_id', '=', bystander.contactId).execute())
          .length,
        2,
      );
    });

    await t.test('a copy of the database taken before erasure can no longer be decrypted', async () => {
      assert.throws(() => openContactField(app.ctx, person.contactId, copiedPsid, psidField(person)), {
        code: 'decryption_failed',
      });
      if (dialect !== 'sqlite') return;
      const copy = new SqliteDatabase(backupFile, { readonly: true });
      const rows = copy
        .prepare('select id, page_id, text_enc from messages where contact_id = ?')
        .all(person.contactId) as { id: string; page_id: string; text_enc: string }[];
      copy.close();
      assert.equal(rows.length, 2, 'the backup still holds the ciphertexts');
      for (const r of rows) {
        assert.throws(
          () =>
            openContactField(app.ctx, person.contactId, r.text_enc, {
              table: 'messages',
              column: 'text_enc',
              pageId: r.page_id,
              rowId: r.id,
            }),
          { code: 'decryption_failed' },
        );
      }
    });

    await t.test(
      'no canary, ciphertext or blind index of the contact remains in the database files or the logs',
      async () => {
        assert.equal(
          person.canaries.some((c) => app.logs.text().includes(c)),
          false,
        );
        if (dialect !== 'sqlite') return;
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(app.ctx.db);
        const file = app.database.file!;
        const bytes = Buffer.concat([
          readFileSync(file),
          existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0),
        ]);
        const backup = readFileSync(backupFile);
        for (const value of [...person.canaries, ...person.stored]) {
          assert.equal(bytes.includes(value), false, `still in the database file: ${value.slice(0, 12)}…`);
        }
        // The same scan finds the bystander's values, so it would find the erased contact's too.
        assert.ok(bytes.includes(bystander.psidBidx) && backup.includes(person.psidBidx));
        const keys = readFileSync(join(app.database.dataDir, 'contact-keys.db'));
        assert.equal(keys.includes(person.contactId), true, 'the key store remembers whose key was destroyed');
      },
    );

    await t.test('erasing twice changes nothing', async () => {
      const before = await app.ctx.db.selectFrom('privacy_requests').selectAll().orderBy('id').execute();
      const counts = await eraseContactData(app.ctx, person.contactId);
      assert.equal(
        Object.values(counts.tables).reduce((a, n) => a + n, 0) + counts.raw_deliveries + counts.request_exports,
        0,
      );
      assert.equal(counts.key_destroyed, false);
      assert.deepEqual(await app.ctx.db.selectFrom('privacy_requests').selectAll().orderBy('id').execute(), before);
    });

    await t.test("the access request's export is gone with the contact, and new requests for it are 404", async () => {
      const access = await app.ctx.db
        .selectFrom('privacy_requests')
        .selectAll()
        .where('type', '=', 'access')
        .executeTakeFirstOrThrow();
      assert.equal(access.export_enc, null);
      assert.equal((await api('GET', `/api/v1/privacy/requests/${access.id}/export`)).statusCode, 404);
      assert.equal(
        (await api('POST', '/api/v1/privacy/requests', { type: 'access', contact_id: person.contactId })).statusCode,
        404,
      );
    });
  });
}
