import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { privacyRoutes } from '../../src/http/routes/privacy.ts';
import { hasContactLayer } from '../../src/crypto/contact-layer.ts';
import { deleteContactRows, personalTables } from '../../src/modules/privacy/personal-data.repository.ts';
import { runDueRequests } from '../../src/modules/privacy/run-requests.ts';
import { startPrivacyWorkers } from '../../src/modules/privacy/privacy-workers.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { defineAttribute } from '../../src/modules/attributes/attribute-definitions.ts';
import { audienceOfOne } from '../../src/modules/attributes/contact-audience.ts';
import { seedContact, type SeededContact } from './seed.ts';

for (const dialect of testDialects()) {
  test(`rectification, failures and the background workers [${dialect}]`, async (t) => {
    let app!: TestApp;
    let person!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect, { routes: [privacyRoutes] });
      person = await seedContact(app.ctx);
      await defineAttribute(app.ctx, cliActor, person.pageId, { key: 'email', type: 'text', personal: true });
      await defineAttribute(app.ctx, cliActor, person.pageId, { key: 'tier', type: 'text', personal: true });
    });
    after(async () => {
      await app.close();
    });
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const attributes = async () => {
      const rows = await app.ctx.db
        .selectFrom('contact_attributes')
        .selectAll()
        .where('contact_id', '=', person.contactId)
        .execute();
      const layered = rows.map((r) =>
        hasContactLayer(app.ctx, r.value_enc!, {
          table: 'contact_attributes',
          column: 'value_enc',
          pageId: r.page_id,
          rowId: r.id,
        }),
      );
      const contact = { id: person.contactId, page_id: person.pageId };
      return { value: (await audienceOfOne(app.ctx, app.ctx.db, contact)).attributes, layered };
    };

    await t.test(
      'a rectification sets and removes attributes, the new value sealed under the contact key',
      async () => {
        assert.deepEqual((await attributes()).layered, [false], 'seeded the old way, keyring only');
        const res = await api('POST', '/api/v1/privacy/requests', {
          type: 'rectification',
          contact_id: person.contactId,
          attributes: { email: null, tier: 'gold' },
        });
        assert.equal(res.statusCode, 202);
        await runDueRequests(app.ctx);
        assert.deepEqual(await attributes(), { value: { tier: 'gold' }, layered: [true] });
        const done = (await api('GET', `/api/v1/privacy/requests/${res.json().id}`)).json();
        assert.deepEqual(done.result, { attributes_changed: ['email', 'tier'] });
      },
    );

    await t.test('a rectification of an attribute the Page does not define is refused, naming it', async () => {
      const res = await api('POST', '/api/v1/privacy/requests', {
        type: 'rectification',
        contact_id: person.contactId,
        attributes: { shoe_size: '42' },
      });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, /^shoe_size: not an attribute of this Page/);
    });

    await t.test('the audit names the attributes changed, never their values', async () => {
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'privacy.rectification.completed')
        .executeTakeFirstOrThrow();
      assert.equal(audit.details!.includes('gold'), false);
      assert.ok(audit.details!.includes('tier'));
    });

    await t.test('a malformed rectification is refused up front', async () => {
      const res = await api('POST', '/api/v1/privacy/requests', {
        type: 'rectification',
        contact_id: person.contactId,
        attributes: { nested: { no: 1 } },
      });
      assert.equal(res.statusCode, 400);
    });

    await t.test(
      'a request that keeps failing is retried with backoff, then marked failed, each attempt audited',
      async () => {
        const res = await api('POST', '/api/v1/privacy/requests', {
          type: 'rectification',
          contact_id: person.contactId,
          attributes: { tier: 'silver' },
        });
        const id = res.json().id;
        // Damage the stored input: it no longer decrypts, as after tampering.
        await app.ctx.db.updateTable('privacy_requests').set({ input_enc: 'v1.AAAA' }).where('id', '=', id).execute();
        for (let i = 0; i < 5; i++) {
          await runDueRequests(app.ctx);
          app.clock.advance(2 * 60 * 60 * 1000);
        }
        const row = (await api('GET', `/api/v1/privacy/requests/${id}`)).json();
        assert.equal(row.status, 'failed');
        const attempts = await app.ctx.db
          .selectFrom('audit_events')
          .selectAll()
          .where('subject_id', '=', id)
          .where('action', '=', 'privacy.rectification.attempt_failed')
          .execute();
        assert.equal(attempts.length, 5);
        assert.ok(attempts.every((a) => a.details!.includes('decryption_failed')));
      },
    );

    await t.test(
      'an erasure cut short between its deletions and the key destruction is finished by the next run',
      async () => {
        const victim = await seedContact(app.ctx, { contactLayer: true });
        const res = await api('POST', '/api/v1/privacy/requests', { type: 'erasure', contact_id: victim.contactId });
        const id = res.json().id;
        // What a crash leaves behind: the deletions committed with their counts, the request still leased, the key alive.
        const tables: Record<string, number> = {};
        for (const p of personalTables()) tables[p.table] = await deleteContactRows(app.ctx.db, p, victim.contactId);
        const earlier = { tables, raw_deliveries: 1, request_exports: 0, key_destroyed: false };
        await app.ctx.db
          .updateTable('privacy_requests')
          .set({ status: 'in_progress', result: JSON.stringify(earlier), next_attempt_at: app.clock.now() + 60_000 })
          .where('id', '=', id)
          .execute();
        assert.notEqual(app.ctx.contactKeys.existingKey(victim.contactId), null);
        await runDueRequests(app.ctx);
        assert.equal(
          (await api('GET', `/api/v1/privacy/requests/${id}`)).json().status,
          'in_progress',
          'not before the lease runs out',
        );
        app.clock.advance(61_000);
        await runDueRequests(app.ctx);
        const done = (await api('GET', `/api/v1/privacy/requests/${id}`)).json();
        assert.equal(done.status, 'completed');
        assert.deepEqual(
          done.result,
          { ...earlier, key_destroyed: true },
          'the counts of the run that deleted are kept',
        );
        assert.equal(app.ctx.contactKeys.existingKey(victim.contactId), null);
      },
    );

    await t.test('the workers run a request in the background and stop cleanly', async () => {
      const res = await api('POST', '/api/v1/privacy/requests', { type: 'access', contact_id: person.contactId });
      const workers = startPrivacyWorkers(app.ctx, { graph: null, idleMs: 10 });
      assert.deepEqual(
        workers.map((w) => w.name),
        ['privacy.requests', 'privacy.deadlines', 'retention', 'privacy.intake-keys'],
      );
      let status = '';
      for (let i = 0; i < 200 && status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        status = (await api('GET', `/api/v1/privacy/requests/${res.json().id}`)).json().status;
      }
      await Promise.all(workers.map((w) => w.stop()));
      assert.equal(status, 'completed');
    });
  });
}
