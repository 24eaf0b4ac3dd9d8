import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { privacyRoutes } from '../../src/http/routes/privacy.ts';
import { warnDeadlines } from '../../src/modules/privacy/deadline-warner.ts';
import { runRetention, runRetentionJob } from '../../src/modules/retention/retention.ts';
import { seedContact, type SeededContact } from './seed.ts';
import { newId } from '../../src/lib/ids.ts';

const DAY = 24 * 60 * 60 * 1000;

for (const dialect of testDialects()) {
  test(`deadlines: warnings, extension and the overdue metric [${dialect}]`, async (t) => {
    let app!: TestApp;
    let person!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect, { routes: [privacyRoutes] });
      person = await seedContact(app.ctx);
    });
    after(async () => {
      await app.close();
    });
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const overdue = async () =>
      /pagescope_privacy_requests_overdue (\d+)/.exec(await app.ctx.metrics.registry.metrics())?.[1];
    let id = '';

    await t.test('a CCPA request is due 45 days after it arrives', async () => {
      const res = await api('POST', '/api/v1/privacy/requests', {
        type: 'erasure',
        contact_id: person.contactId,
        regime: 'ccpa',
      });
      id = res.json().id;
      assert.equal(res.json().due_at, new Date(app.clock.now() + 45 * DAY).toISOString());
    });

    await t.test('no warning before the warning time, one warning at it, and only one', async () => {
      assert.equal(await warnDeadlines(app.ctx), 0);
      app.clock.advance(38 * DAY);
      assert.equal(await warnDeadlines(app.ctx), 1);
      assert.equal(await warnDeadlines(app.ctx), 0);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'privacy.request.deadline_warning')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(await overdue(), '0');
    });

    await t.test(
      'an extension within the first period moves the deadline by 45 days and warns again later',
      async () => {
        const res = await api('POST', `/api/v1/privacy/requests/${id}/extend`);
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().extended, true);
        assert.equal(res.json().due_at, new Date(Date.UTC(2026, 10, 28, 12) + 90 * DAY).toISOString());
        assert.equal((await api('POST', `/api/v1/privacy/requests/${id}/extend`)).statusCode, 409);
        app.clock.advance(45 * DAY);
        assert.equal(await warnDeadlines(app.ctx), 1);
      },
    );

    await t.test('past the deadline the request counts as overdue', async () => {
      app.clock.advance(8 * DAY);
      await warnDeadlines(app.ctx);
      assert.equal(await overdue(), '1');
    });

    await t.test('a GDPR request cannot be extended once its first month has passed', async () => {
      const other = await seedContact(app.ctx);
      const res = await api('POST', '/api/v1/privacy/requests', { type: 'access', contact_id: other.contactId });
      app.clock.advance(32 * DAY);
      const late = await api('POST', `/api/v1/privacy/requests/${res.json().id}/extend`);
      assert.equal(late.statusCode, 409);
      assert.match(late.json().error.message, /first period/);
    });
  });

  test(`retention jobs [${dialect}]`, async (t) => {
    let app!: TestApp;
    let old!: SeededContact;
    let young!: SeededContact;
    before(async () => {
      app = await createTestApp(dialect, {
        env: {
          PAGESCOPE_RAW_RETENTION_DAYS: '30',
          PAGESCOPE_RETENTION_MESSAGE_TEXT_DAYS: '90',
          PAGESCOPE_RETENTION_INACTIVE_CONTACT_DAYS: '365',
        },
      });
      const now = app.clock.now();
      old = await seedContact(app.ctx, { at: now - 400 * DAY });
      young = await seedContact(app.ctx, { at: now - 10 * DAY });
      // Beside each one's postback (seeded), what they wrote as contact events: an edit's text, a feedback answer.
      for (const [contact, at] of [
        [old, now - 400 * DAY],
        [young, now - 10 * DAY],
      ] as const)
        for (const [kind, data] of [
          ['message_edit', { mid: `m.${contact.contactId}`, text: 'the new address is 12 Elm Street', num_edit: 1 }],
          [
            'feedback',
            {
              screens: [
                {
                  questions: [
                    { id: 'q', type: 'csat', payload: '5', followUp: { type: 'free_form', payload: 'kind staff' } },
                  ],
                },
              ],
            },
          ],
        ] as const) {
          const id = newId('ce', at);
          await app.ctx.db
            .insertInto('contact_events')
            .values({
              id,
              page_id: '1001',
              contact_id: contact.contactId,
              kind,
              occurred_at: at,
              data_enc: app.ctx.keyring.encrypt(JSON.stringify(data), {
                table: 'contact_events',
                column: 'data_enc',
                pageId: '1001',
                rowId: id,
              }),
              created_at: at,
            })
            .execute();
        }
    });
    /** Which of a contact's events still hold their data, by kind. */
    const eventData = async (contactId: string) =>
      Object.fromEntries(
        (
          await app.ctx.db
            .selectFrom('contact_events')
            .select(['kind', 'data_enc'])
            .where('contact_id', '=', contactId)
            .orderBy('kind')
            .execute()
        ).map((e) => [e.kind, e.data_enc !== null]),
      );
    after(async () => {
      await app.close();
    });
    const snapshot = async () => ({
      deliveries: await app.ctx.db.selectFrom('webhook_posts').select(['id', 'body_enc']).orderBy('id').execute(),
      messages: await app.ctx.db.selectFrom('messages').select(['id', 'text_enc']).orderBy('id').execute(),
      contacts: await app.ctx.db.selectFrom('contacts').select('id').orderBy('id').execute(),
    });

    await t.test('a dry run lists what would go and changes nothing', async () => {
      const before = await snapshot();
      const reports = await runRetention(app.ctx, { dryRun: true });
      assert.deepEqual(
        reports.map((r) => [r.job, r.counts]),
        [
          ['raw-deliveries', { webhook_posts: 1, webhook_events: 1 }],
          ['message-text', { messages: 2, contact_events: 2, deliveries: 1 }],
          ['inactive-contacts', { contacts: 1 }],
          ['auth-failures', { auth_failures: 0 }],
        ],
      );
      assert.deepEqual(reports[2]!.ids.contacts, [old.contactId]);
      assert.deepEqual(await snapshot(), before);
    });

    await t.test('nothing younger than a limit is touched', async () => {
      await runRetention(app.ctx);
      const row = await app.ctx.db
        .selectFrom('webhook_posts')
        .select('body_enc')
        .where('id', '=', young.deliveryId)
        .executeTakeFirstOrThrow();
      assert.notEqual(row.body_enc, null);
      const texts = await app.ctx.db
        .selectFrom('messages')
        .select('text_enc')
        .where('contact_id', '=', young.contactId)
        .execute();
      assert.equal(texts.filter((m) => m.text_enc !== null).length, 2);
      assert.deepEqual(await eventData(young.contactId), { feedback: true, message_edit: true, postback: true });
    });

    await t.test('the inactive contact is erased with a tombstone request', async () => {
      assert.equal(
        await app.ctx.db.selectFrom('contacts').select('id').where('id', '=', old.contactId).executeTakeFirst(),
        undefined,
      );
      const tomb = await app.ctx.db
        .selectFrom('privacy_requests')
        .selectAll()
        .where('contact_id', '=', old.contactId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [tomb.source, tomb.status, JSON.parse(tomb.result!).key_destroyed],
        ['retention', 'completed', false],
      );
    });

    await t.test('advancing the clock past each limit leaves no stale rows', async () => {
      app.clock.advance(25 * DAY);
      assert.deepEqual((await runRetentionJob(app.ctx, 'raw-deliveries')).counts, {
        webhook_posts: 1,
        webhook_events: 1,
      });
      assert.deepEqual((await runRetentionJob(app.ctx, 'message-text')).counts, {
        messages: 0,
        contact_events: 0,
        deliveries: 0,
      });
      app.clock.advance(60 * DAY);
      assert.deepEqual((await runRetentionJob(app.ctx, 'message-text')).counts, {
        messages: 2,
        contact_events: 2,
        deliveries: 1,
      });
      // What they wrote as an edit or a feedback answer goes with the texts; the events stay, and a postback's data
      // (the button, not their words) is kept.
      assert.deepEqual(await eventData(young.contactId), { feedback: false, message_edit: false, postback: true });
      const rows = await app.ctx.db
        .selectFrom('messages')
        .selectAll()
        .where('contact_id', '=', young.contactId)
        .execute();
      assert.equal(rows.length, 2, 'the history rows stay');
      assert.ok(rows.every((m) => m.text_enc === null && m.attachments_enc === null && m.quick_reply_enc === null));
      app.clock.advance(300 * DAY);
      assert.deepEqual((await runRetentionJob(app.ctx, 'inactive-contacts')).counts, { contacts: 1 });
      assert.deepEqual(
        (await runRetention(app.ctx, { dryRun: true })).map((r) => Object.values(r.counts).reduce((a, n) => a + n, 0)),
        [0, 0, 0, 0],
      );
    });

    await t.test('each run that removed something is audited', async () => {
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'retention.purge')
        .execute();
      assert.deepEqual(audit.map((a) => a.subject_id).sort(), [
        'inactive-contacts',
        'inactive-contacts',
        'message-text',
        'message-text',
        'raw-deliveries',
        'raw-deliveries',
      ]);
    });
  });
}
