import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testDialects } from '../../../test/support/db.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { until } from '../../../test/support/until.ts';
import { cliActor } from '../access/actor.ts';
import { recordConsent } from '../consent/ledger.ts';
import { registerPage } from '../pages/register-page.ts';
import { findContactById } from './contacts.repository.ts';
import { defineAttribute } from '../attributes/attribute-definitions.ts';
import { audienceOfOne } from '../attributes/contact-audience.ts';
import { addContactTags } from '../attributes/contact-tags.ts';
import { setContactAttributes } from '../attributes/set-attributes.ts';
import { recordAccountLinking, reconcileContacts } from './identity-links.ts';
import { mergeContacts } from './merge-contacts.ts';
import { resolveContact } from './resolve-contact.ts';

const PAGE_A = '100000000000021';
const PAGE_B = '100000000000022';

for (const dialect of testDialects()) {
  describe(`identity links and reconciliation [${dialect}]`, () => {
    let app: TestApp;
    let next = 6000000000000000;
    before(async () => {
      app = await createTestApp(dialect);
      for (const id of [PAGE_A, PAGE_B])
        await registerPage(app.ctx, cliActor, { id, name: `Page ${id}`, access_token: `token-${id}` });
    });
    after(() => app.close());

    const newContact = async (pageId: string) =>
      resolveContact(app.ctx, app.ctx.db, pageId, String(++next), app.clock.now());
    const reload = async (id: string) => (await findContactById(app.ctx.db, id, null))!;

    it("links two Pages' contacts even when both codes are recorded by concurrent transactions", async () => {
      const [a, b] = [await newContact(PAGE_A), await newContact(PAGE_B)];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let firstRecorded!: () => void;
      const recorded = new Promise<void>((r) => (firstRecorded = r));
      const first = app.ctx.db.transaction().execute(async (trx) => {
        await recordAccountLinking(app.ctx, trx, a, 'shared-code', app.clock.now());
        firstRecorded();
        await gate;
      });
      await recorded;
      let secondBackend!: (pid: number) => void;
      const secondPid = new Promise<number>((r) => (secondBackend = r));
      let secondEnded = false;
      const second = app.ctx.db
        .transaction()
        .execute(async (trx) => {
          if (dialect === 'postgres') {
            secondBackend((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid);
          }
          await recordAccountLinking(app.ctx, trx, b, 'shared-code', app.clock.now());
        })
        .finally(() => (secondEnded = true));
      // On PostgreSQL the first commits once the second waits for its lock; on SQLite the second cannot begin before.
      if (dialect === 'postgres') {
        const pid = await secondPid;
        const activity = sql<{ w: string }>`select wait_event_type as w from pg_stat_activity where pid = ${pid}`;
        await until(
          'the second transaction to wait for the first',
          async () => {
            const r = await activity.execute(app.ctx.db);
            return r.rows[0]?.w === 'Lock' || secondEnded ? true : undefined;
          },
          15_000,
          10,
        );
      }
      release();
      await Promise.all([first, second]);
      const links = await app.ctx.db
        .selectFrom('contact_links')
        .selectAll()
        .where('source', '=', 'account_linking')
        .execute();
      assert.equal(links.length, 1);
    });

    it('keeps the record whose PSID works, whichever of the two brought the code first', async () => {
      const older = await newContact(PAGE_A);
      app.clock.advance(1000);
      const newer = await newContact(PAGE_A);
      await app.ctx.db
        .updateTable('contacts')
        .set({ psid_invalid_at: app.clock.now() })
        .where('id', '=', newer.id)
        .execute();
      await app.ctx.db.transaction().execute(async (trx) => {
        await recordAccountLinking(app.ctx, trx, newer, 'code-42', app.clock.now());
        await recordAccountLinking(app.ctx, trx, older, 'code-42', app.clock.now());
      });
      assert.equal((await reload(newer.id)).merged_into, older.id);
      assert.equal((await reload(older.id)).merged_into, null);
    });

    it('carries tags, attributes and newer consent into the survivor, and never records them twice', async () => {
      const [stale, survivor] = [await newContact(PAGE_A), await newContact(PAGE_A)];
      await defineAttribute(app.ctx, cliActor, PAGE_A, { key: 'crm_id', type: 'text', personal: true });
      await defineAttribute(app.ctx, cliActor, PAGE_A, { key: 'tier', type: 'text' });
      await addContactTags(app.ctx, cliActor, stale.id, ['vip', 'wholesale']);
      await setContactAttributes(app.ctx, cliActor, stale.id, { crm_id: 'C-1', tier: 'gold' });
      await addContactTags(app.ctx, cliActor, survivor.id, ['vip']);
      await setContactAttributes(app.ctx, cliActor, survivor.id, { tier: 'silver' });
      await app.ctx.db.transaction().execute(async (trx) => {
        await recordConsent(trx, app.ctx, {
          contactId: survivor.id,
          pageId: PAGE_A,
          purpose: 'marketing',
          action: 'grant',
          source: 'optin',
          actor: 'contact',
          occurredAt: app.clock.now() - 2000,
        });
        await recordConsent(trx, app.ctx, {
          contactId: stale.id,
          pageId: PAGE_A,
          purpose: 'marketing',
          action: 'withdraw',
          source: 'keyword',
          actor: 'contact',
          occurredAt: app.clock.now() - 1000,
        });
        await recordConsent(trx, app.ctx, {
          contactId: stale.id,
          pageId: PAGE_A,
          purpose: 'replies',
          action: 'grant',
          source: 'keyword',
          actor: 'contact',
          occurredAt: app.clock.now() - 5000,
        });
      });
      await app.ctx.db
        .updateTable('contacts')
        .set({ psid_invalid_at: app.clock.now() })
        .where('id', '=', stale.id)
        .execute();
      for (let i = 0; i < 2; i++) {
        await app.ctx.db
          .transaction()
          .execute((trx) =>
            reconcileContacts(app.ctx, trx, [stale.id, survivor.id], 'account_linking', app.clock.now()),
          );
      }
      const row = await reload(survivor.id);
      assert.equal((await reload(stale.id)).merged_into, survivor.id);
      assert.deepEqual(await audienceOfOne(app.ctx, app.ctx.db, row), {
        tags: ['vip', 'wholesale'],
        attributes: { crm_id: 'C-1', tier: 'silver' },
      });
      // Moved, not copied; the value the survivor overrode stays with the merged record.
      assert.deepEqual(await audienceOfOne(app.ctx, app.ctx.db, await reload(stale.id)), {
        tags: [],
        attributes: { tier: 'gold' },
      });
      assert.equal(row.consent_marketing, 'withdrawn');
      const copied = await app.ctx.db
        .selectFrom('consent_records')
        .select(['purpose', 'source'])
        .where('contact_id', '=', survivor.id)
        .where('source', '=', 'merge')
        .execute();
      assert.deepEqual(copied.map((r) => r.purpose).sort(), ['marketing', 'replies']);
      const audits = await app.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'contact.reconcile')
        .where('subject_id', '=', stale.id)
        .execute();
      assert.equal(audits.length, 1);
    });

    it('merges records that are already merged elsewhere at their survivors, so merges never chain', async () => {
      const [x, y, z] = [await newContact(PAGE_A), await newContact(PAGE_A), await newContact(PAGE_A)];
      await mergeContacts(app.ctx, cliActor, x.id, y.id);
      await app.ctx.db
        .transaction()
        .execute((trx) => reconcileContacts(app.ctx, trx, [x.id, z.id], 'ids_for_pages', app.clock.now()));
      const rows = await Promise.all([x, y, z].map((c) => reload(c.id)));
      const survivor = rows.find((r) => r.merged_into === null)!;
      assert.deepEqual(
        rows.filter((r) => r.merged_into !== null).map((r) => r.merged_into),
        [survivor.id, survivor.id],
      );
    });
  });
}
