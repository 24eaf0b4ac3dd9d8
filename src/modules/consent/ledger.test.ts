import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../../test/support/db.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { seedContact } from '../../../test/privacy/seed.ts';
import { cliActor } from '../access/actor.ts';
import { allowsTopic, consentForPolicy, deriveConsent, recordConsent, type ConsentInput } from './ledger.ts';

for (const dialect of testDialects())
  describe(`the consent ledger [${dialect}]`, () => {
    let app: TestApp;
    let contactId = '';
    // After the seeded grant (the test clock stands at 28 November), so the records below are the latest.
    const T0 = Date.UTC(2026, 10, 29);
    const record = (input: Partial<ConsentInput>) =>
      app.ctx.db.transaction().execute((trx) =>
        recordConsent(trx, app.ctx, {
          contactId,
          pageId: '1001',
          purpose: 'replies',
          action: 'withdraw',
          source: 'keyword',
          actor: 'contact',
          occurredAt: T0,
          ...input,
        }),
      );

    before(async () => {
      app = await createTestApp(dialect);
      contactId = (await seedContact(app.ctx)).contactId;
    });
    after(async () => {
      await app.close();
    });

    test('derives the state from the ledger, not from the contacts row', async () => {
      // The seed holds one marketing grant; the state comes from it, not from the contacts row.
      assert.deepEqual(await deriveConsent(app.ctx.db, contactId), {
        replies: 'granted',
        marketing: 'granted',
        topics: {},
      });
    });

    test('a keyword withdrawal is recorded with its provenance and updates the cache in the same transaction', async () => {
      const r = await record({ eventId: 'we_1', wording: 'Reply STOP to unsubscribe', wordingVersion: 'en-1' });
      assert.equal(r.changed, true);
      const row = await app.ctx.db
        .selectFrom('consent_records')
        .selectAll()
        .where('id', '=', r.recordId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [row.source, row.event_id, row.wording_version, row.actor_type, row.actor_id],
        ['keyword', 'we_1', 'en-1', 'contact', contactId],
      );
      const contact = await app.ctx.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow();
      assert.equal(contact.consent_replies, 'withdrawn');
      assert.equal(contact.consent_replies_at, T0);
      assert.deepEqual(await consentForPolicy(app.ctx.db, contactId), { replies: 'withdrawn', marketing: 'granted' });
    });

    test('the same event delivered again records nothing twice', async () => {
      const again = await record({ eventId: 'we_1' });
      assert.equal(again.changed, false);
      const rows = await app.ctx.db.selectFrom('consent_records').select('id').where('event_id', '=', 'we_1').execute();
      assert.equal(rows.length, 1);
    });

    test('an older event arriving late is kept in the ledger but does not override a newer choice', async () => {
      const late = await record({ action: 'grant', eventId: 'we_0', occurredAt: T0 - 60_000 });
      assert.equal(late.changed, false);
      assert.equal(late.state.replies, 'withdrawn');
    });

    test('a grant and a withdrawal at the same instant resolve to the withdrawal, whatever their order', async () => {
      await record({ purpose: 'marketing', action: 'withdraw', eventId: 'we_m1', occurredAt: T0 + 30_000 });
      const tie = await record({ purpose: 'marketing', action: 'grant', eventId: 'we_m2', occurredAt: T0 + 30_000 });
      assert.equal(tie.state.marketing, 'withdrawn');
      await record({ purpose: 'marketing', action: 'grant', eventId: 'we_m3', occurredAt: T0 + 40_000 });
    });

    test('START gives consent back, and every change is audited with its actor', async () => {
      await record({ action: 'grant', eventId: 'we_2', occurredAt: T0 + 60_000 });
      assert.equal((await deriveConsent(app.ctx.db, contactId)).replies, 'granted');
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_id', '=', contactId)
        .where('action', 'like', 'consent.%')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['consent.withdraw', 'consent.grant', 'consent.withdraw', 'consent.grant', 'consent.grant', 'consent.grant'],
      );
    });

    test('topics are consented one by one; a withdrawn topic blocks its campaigns only', async () => {
      await record({
        purpose: 'topic:news',
        action: 'withdraw',
        source: 'operator',
        actor: cliActor,
        occurredAt: T0 + 120_000,
      });
      const state = await deriveConsent(app.ctx.db, contactId);
      assert.equal(allowsTopic(state, 'news'), false);
      assert.equal(allowsTopic(state, 'offers'), true);
      const row = await app.ctx.db
        .selectFrom('consent_records')
        .selectAll()
        .where('purpose', '=', 'topic:news')
        .executeTakeFirstOrThrow();
      assert.equal(row.actor_type, 'cli');
    });

    test('refuses a purpose it does not know', async () => {
      await assert.rejects(record({ purpose: 'everything' as never }), { code: 'validation_failed' });
    });
  });
