import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { createGraphClient } from '../../src/platform/index.ts';
import { matchIdsForPages } from '../../src/modules/contacts/match-ids.ts';
import { startIngestWorkers } from '../../src/modules/ingest/index.ts';
import { insertLink } from '../../src/modules/contacts/links.repository.ts';
import { psidIndex } from '../../src/modules/contacts/contact-columns.ts';
import { markPsidInvalid } from '../../src/modules/messaging/send-targets.repository.ts';
import { drain, emulatedApp, envelope, messageItem, postWebhook } from './support.ts';

const HOUR = 3600_000;
type Link = { contact_id: string; page_id: string; source: string };

/** Everything identity touches, as plain data: equal snapshots mean nothing changed. */
async function snapshot(app: TestApp) {
  const db = app.ctx.db;
  const count = async (
    table: 'messages' | 'contact_events' | 'consent_records' | 'account_link_codes' | 'audit_events' | 'webhook_events',
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    contacts: await db
      .selectFrom('contacts')
      .select(['id', 'merged_into', 'consent_marketing'])
      .orderBy('id')
      .execute(),
    links: await db
      .selectFrom('contact_links')
      .select(['contact_id', 'linked_contact_id', 'source'])
      .orderBy('contact_id')
      .orderBy('source')
      .execute(),
    messages: await count('messages'),
    events: await count('contact_events'),
    consent: await count('consent_records'),
    codes: await count('account_link_codes'),
    audit: (
      await db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'not like', 'contact.identifier_read')
        .execute()
    ).length,
    ledger: await count('webhook_events'),
  };
}

/** Posts every webhook the emulator delivered so far again: once byte for byte, once re-wrapped in a new envelope. */
async function redeliverEverything(app: TestApp, emu: EmulatorServer): Promise<void> {
  for (const d of emu.emulator.deliveries().filter((r) => r.kind === 'first')) {
    const signature = d.headers['x-hub-signature-256'];
    assert.ok(signature);
    assert.equal(
      (await postWebhook(app, d.body, { 'content-type': 'application/json', 'x-hub-signature-256': signature }))
        .statusCode,
      200,
    );
    const body = JSON.parse(d.body) as { entry: { time: number }[] };
    for (const entry of body.entry) entry.time += 1;
    assert.equal((await postWebhook(app, JSON.stringify(body))).statusCode, 200);
  }
  await drain(app);
}

for (const dialect of testDialects()) {
  describe(`contact identity through account linking [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let pageA: string;
    let pageB: string;
    let ana: string;
    const get = (url: string) => app.server.inject({ url, headers: bearer(app.ownerToken) });
    const contactOf = async (user: string, page: string) =>
      (await get(`/api/v1/pages/${page}/contacts/by-psid/${emu.emulator.psid(user, page)}`)).json() as {
        id: string;
        links: Link[];
        merged_into: string | null;
      };

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect));
      [pageA, pageB] = pages as [string, string];
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    it("links one person's contacts on two Pages once when the same authorization code arrives on both", async () => {
      ana = emu.emulator.createUser({ first_name: 'Ana', last_name: 'Silva' }).id;
      await emu.emulator.user(ana).says(pageA, 'hello shop A');
      await emu.emulator.user(ana).says(pageB, 'hello shop B');
      await emu.emulator.user(ana).links(pageA, 'crm-user-ana-4711');
      await emu.emulator.advance(1000);
      await emu.emulator.user(ana).links(pageB, 'crm-user-ana-4711');
      await emu.emulator.advance(1000);
      await emu.emulator.user(ana).links(pageB, 'crm-user-ana-4711');
      await drain(app);
      const [onA, onB] = [await contactOf(ana, pageA), await contactOf(ana, pageB)];
      const links = await app.ctx.db.selectFrom('contact_links').selectAll().execute();
      assert.equal(links.length, 1, 'one row for the pair, however often the code is seen');
      assert.deepEqual(
        [[links[0]!.contact_id, links[0]!.linked_contact_id].sort(), links[0]!.source],
        [[onA.id, onB.id].sort(), 'account_linking'],
      );
      assert.deepEqual(
        onA.links.map((l) => [l.contact_id, l.page_id, l.source]),
        [[onB.id, pageB, 'account_linking']],
      );
      assert.deepEqual(
        ((await get(`/api/v1/contacts/${onB.id}`)).json().links as Link[]).map((l) => l.contact_id),
        [onA.id],
      );
      assert.equal(onA.merged_into, null, 'contacts of two Pages are never merged');
    });

    it('shows a link only to tokens that may see the other Page', async () => {
      const { createToken } = await import('../../src/modules/access/create-token.ts');
      const { cliActor } = await import('../../src/modules/access/actor.ts');
      const { token } = await createToken(app.ctx, cliActor, { name: 'agent-a', role: 'agent', pageIds: [pageA] });
      const onA = await contactOf(ana, pageA);
      const seen = await app.server.inject({ url: `/api/v1/contacts/${onA.id}`, headers: bearer(token) });
      assert.equal(seen.statusCode, 200);
      assert.deepEqual(seen.json().links, []);
    });

    it('removes the link and the stored code when the person unlinks', async () => {
      const onB = await contactOf(ana, pageB);
      await emu.emulator.advance(1000);
      await emu.emulator.user(ana).unlinks(pageB);
      await drain(app);
      assert.equal(
        (await app.ctx.db.selectFrom('contact_links').selectAll().where('source', '=', 'account_linking').execute())
          .length,
        0,
      );
      assert.equal(
        (await app.ctx.db.selectFrom('account_link_codes').selectAll().where('contact_id', '=', onB.id).execute())
          .length,
        0,
      );
      assert.deepEqual((await contactOf(ana, pageA)).links, []);
      await emu.emulator.advance(1000);
      await emu.emulator.user(ana).links(pageB, 'crm-user-ana-4711');
      await drain(app);
      assert.equal((await contactOf(ana, pageA)).links.length, 1, 'the code kept for Page A links them again');
    });

    it('merges the record whose PSID stopped working into the new PSID that brings the same code: history, consent and audit kept', async () => {
      const oldAccount = emu.emulator.createUser({ first_name: 'Bruno', last_name: 'Keller' }).id;
      await emu.emulator.user(oldAccount).says(pageA, 'order 1001 from my old account');
      await emu.emulator.user(oldAccount).marketing(pageA, 'opt_in', 'deals');
      await emu.emulator.advance(60_000);
      await emu.emulator.user(oldAccount).marketing(pageA, 'stop', 'deals');
      await emu.emulator.user(oldAccount).links(pageA, 'crm-user-bruno-99');
      await drain(app);
      const old = await contactOf(oldAccount, pageA);
      await markPsidInvalid(app.ctx.db, old.id, app.clock.now());

      await emu.emulator.advance(24 * HOUR);
      const newAccount = emu.emulator.createUser({ first_name: 'Bruno', last_name: 'Keller' }).id;
      await emu.emulator.user(newAccount).says(pageA, 'hi again, new account');
      await emu.emulator.user(newAccount).links(pageA, 'crm-user-bruno-99');
      await drain(app);

      const survivor = await contactOf(newAccount, pageA);
      assert.equal((await get(`/api/v1/contacts/${old.id}`)).json().merged_into, survivor.id);
      const history = (await get(`/api/v1/contacts/${survivor.id}/messages?order=asc`))
        .json()
        .data.map((m: { text: string }) => m.text);
      assert.deepEqual(history, ['order 1001 from my old account', 'hi again, new account']);
      assert.deepEqual(
        survivor.links.map((l) => [l.contact_id, l.source]),
        [[old.id, 'merge']],
      );
      assert.equal(
        (await get(`/api/v1/contacts/${survivor.id}`)).json().consent.marketing,
        'withdrawn',
        'the opt-out given under the old PSID still holds',
      );
      const listed = (await get(`/api/v1/pages/${pageA}/contacts?limit=200`))
        .json()
        .data.map((c: { id: string }) => c.id);
      assert.ok(listed.includes(survivor.id) && !listed.includes(old.id), 'the merged record is no longer listed');
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'contact.reconcile')
        .execute();
      assert.equal(audit.length, 1);
      assert.deepEqual(
        [audit[0]!.actor_type, audit[0]!.actor_id, audit[0]!.subject_id, audit[0]!.page_id],
        ['system', 'identity-reconcile', old.id, pageA],
      );
      assert.deepEqual(JSON.parse(audit[0]!.details!), {
        into: survivor.id,
        via: 'account_linking',
        psid_invalid: true,
      });
    });

    it('changes nothing when every delivery arrives again, byte for byte or re-wrapped', async () => {
      const before = await snapshot(app);
      await redeliverEverything(app, emu);
      assert.deepEqual(await snapshot(app), before);
    });

    it('stays split after an operator splits a reconciled record, redeliveries included', async () => {
      const [merged] = await app.ctx.db
        .selectFrom('contacts')
        .select('id')
        .where('merged_into', 'is not', null)
        .execute();
      const split = await app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${merged!.id}/split`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(split.statusCode, 200);
      await redeliverEverything(app, emu);
      const row = await app.ctx.db
        .selectFrom('contacts')
        .select('merged_into')
        .where('id', '=', merged!.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.merged_into, null);
    });

    it('keeps two people with different codes on one Page apart', async () => {
      const before = await app.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'contact.reconcile')
        .execute();
      const carla = emu.emulator.createUser({ first_name: 'Carla', last_name: 'Moreau' }).id;
      const dora = emu.emulator.createUser({ first_name: 'Dora', last_name: 'Moreau' }).id;
      for (const [user, code] of [
        [carla, 'crm-carla'],
        [dora, 'crm-dora'],
      ] as const) {
        await emu.emulator.user(user).says(pageA, 'hello');
        await emu.emulator.user(user).links(pageA, code);
      }
      await drain(app);
      assert.equal((await contactOf(carla, pageA)).merged_into, null);
      assert.equal((await contactOf(dora, pageA)).merged_into, null);
      assert.equal(
        (await app.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'contact.reconcile').execute())
          .length,
        before.length,
      );
    });
  });

  describe(`contact identity through ids_for_pages [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let pageA: string;
    let pageB: string;
    const idsCalls = () => emu.emulator.calls().filter((c) => c.path.endsWith('/ids_for_pages')).length;
    const contactId = async (user: string, page: string) =>
      (
        await app.server.inject({
          url: `/api/v1/pages/${page}/contacts/by-psid/${emu.emulator.psid(user, page)}`,
          headers: bearer(app.ownerToken),
        })
      ).json().id as string;

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, { PAGESCOPE_LINK_IDS_FOR_PAGES: 'true' }));
      [pageA, pageB] = pages as [string, string];
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    it("links the same person's contacts on two Pages of the business once, asking Meta once per new contact", async () => {
      const eva = emu.emulator.createUser({ first_name: 'Eva', last_name: 'Lind' }).id;
      await emu.emulator.user(eva).says(pageA, 'hej A');
      await emu.emulator.user(eva).says(pageB, 'hej B');
      await drain(app);
      assert.equal(await matchIdsForPages(app.ctx), 2);
      assert.equal(idsCalls(), 2);
      assert.equal(await matchIdsForPages(app.ctx), 0, 'nothing is due again before the refresh period');
      const [onA, onB] = [await contactId(eva, pageA), await contactId(eva, pageB)];
      const links = await app.ctx.db.selectFrom('contact_links').selectAll().execute();
      assert.deepEqual(
        links.map((l) => [[l.contact_id, l.linked_contact_id].sort(), l.source, l.created_by]),
        [[[onA, onB].sort(), 'ids_for_pages', 'ids-for-pages']],
      );
      const detail = (
        await app.server.inject({ url: `/api/v1/contacts/${onA}`, headers: bearer(app.ownerToken) })
      ).json();
      assert.deepEqual(
        detail.links.map((l: Link) => [l.contact_id, l.page_id, l.source]),
        [[onB, pageB, 'ids_for_pages']],
      );

      app.clock.advance(app.ctx.config.profileRefreshHours * HOUR);
      assert.equal(await matchIdsForPages(app.ctx), 2);
      assert.equal(idsCalls(), 4);
      assert.equal(
        (await app.ctx.db.selectFrom('contact_links').selectAll().execute()).length,
        1,
        'asking again records nothing twice',
      );
    });

    it('runs as a background worker beside the others when switched on, and links a new person without being asked', async () => {
      const workers = startIngestWorkers(app.ctx, {
        idleMs: 50,
        profileIdleMs: 60_000,
        retentionIdleMs: 60_000,
        idMatchIdleMs: 50,
      });
      try {
        // On SQLite a fourth loop moves what a stopped web process left in the webhook spool.
        assert.deepEqual(
          workers.map((w) => w.name),
          [
            'webhook-processor',
            'profile-enricher',
            'raw-retention',
            ...(dialect === 'sqlite' ? ['webhook-spool-rescue'] : []),
            'id-matcher',
          ],
        );
        const ivo = emu.emulator.createUser({ first_name: 'Ivo', last_name: 'Horak' }).id;
        await emu.emulator.user(ivo).says(pageA, 'ahoj A');
        await emu.emulator.user(ivo).says(pageB, 'ahoj B');
        // Up to 30 s: on a loaded machine the webhook, the processor and the matcher each take their turn.
        let links: unknown[] = [];
        for (let i = 0; i < 600 && links.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const ids = (
            await app.ctx.db
              .selectFrom('contacts')
              .select('id')
              .where(
                'psid_bidx',
                'in',
                [pageA, pageB].map((p) => psidIndex(app.ctx.keyring, emu.emulator.psid(ivo, p)!)),
              )
              .execute()
          ).map((r) => r.id);
          links =
            ids.length < 2
              ? []
              : await app.ctx.db
                  .selectFrom('contact_links')
                  .selectAll()
                  .where('contact_id', 'in', ids)
                  .where('linked_contact_id', 'in', ids)
                  .execute();
        }
        assert.equal(links.length, 1);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    });

    it('also matches contacts that appeared while the feature was off, once it is switched on', async () => {
      const jan = emu.emulator.createUser({ first_name: 'Jan', last_name: 'Kowal' }).id;
      await emu.emulator.user(jan).says(pageA, 'czesc A');
      await emu.emulator.user(jan).says(pageB, 'czesc B');
      await drain(app);
      const ids = [await contactId(jan, pageA), await contactId(jan, pageB)];
      // As if they had been created with the flag off: not on the schedule.
      await app.ctx.db.deleteFrom('contact_id_matching').where('contact_id', 'in', ids).execute();
      assert.equal(await matchIdsForPages(app.ctx), 0, 'this process already scheduled what existed when it started');
      const restarted = { ...app.ctx };
      assert.equal(await matchIdsForPages(restarted), 2);
      const links = await app.ctx.db
        .selectFrom('contact_links')
        .selectAll()
        .where('contact_id', 'in', ids)
        .where('linked_contact_id', 'in', ids)
        .execute();
      assert.deepEqual(
        links.map((l) => l.source),
        ['ids_for_pages'],
      );
    });

    it('records a Graph error on the schedule without personal data and tries again after the cooldown', async () => {
      const finn = emu.emulator.createUser({ first_name: 'Finn', last_name: 'Berg' }).id;
      await emu.emulator.user(finn).says(pageA, 'moin A');
      await emu.emulator.user(finn).says(pageB, 'moin B');
      await drain(app);
      const misconfigured = createGraphClient({
        baseUrl: app.ctx.config.meta.graphUrl,
        version: app.ctx.config.meta.graphVersion,
        appSecret: 'not-the-app-secret',
        timeoutMs: 10_000,
      });
      assert.equal(await matchIdsForPages(app.ctx, { graph: misconfigured }), 2);
      const [onA, onB] = [await contactId(finn, pageA), await contactId(finn, pageB)];
      const schedule = await app.ctx.db
        .selectFrom('contact_id_matching')
        .selectAll()
        .where('contact_id', 'in', [onA, onB])
        .execute();
      assert.deepEqual(
        schedule.map((s) => [s.status, s.error_code]),
        [
          ['failed', 'invalid_request'],
          ['failed', 'invalid_request'],
        ],
      );
      assert.ok(schedule.every((s) => s.next_at > app.clock.now()));
      assert.equal(await matchIdsForPages(app.ctx), 0, 'not retried before the cooldown');
      const log = app.logs.text();
      assert.ok(log.includes('ids_for_pages did not succeed'));
      for (const psid of [emu.emulator.psid(finn, pageA)!, emu.emulator.psid(finn, pageB)!])
        assert.equal(log.includes(psid), false);

      app.clock.advance(app.ctx.config.profileRefreshHours * HOUR);
      await matchIdsForPages(app.ctx);
      const link = await app.ctx.db
        .selectFrom('contact_links')
        .selectAll()
        .where('contact_id', 'in', [onA, onB])
        .where('linked_contact_id', 'in', [onA, onB])
        .execute();
      assert.equal(link.length, 1);
    });

    it('reconciles a new PSID on a Page with the record an earlier answer had linked to the same person elsewhere', async () => {
      const gus = emu.emulator.createUser({ first_name: 'Gus', last_name: 'Novak' }).id;
      await emu.emulator.user(gus).says(pageB, 'hello B');
      // The past: Gus wrote to Page A under a PSID that has stopped working since, and Meta linked it to his Page B contact.
      const deadPsid = '9100000000000001';
      await postWebhook(
        app,
        envelope(pageA, [messageItem(pageA, deadPsid, 'm_gus_old', 'old PSID message', Date.UTC(2026, 10, 1))]),
      );
      await drain(app);
      const onB = await contactId(gus, pageB);
      const old = (
        await app.ctx.db
          .selectFrom('contacts')
          .select('id')
          .where('page_id', '=', pageA)
          .where('created_at', '=', Date.UTC(2026, 10, 1))
          .executeTakeFirstOrThrow()
      ).id;
      await insertLink(app.ctx.db, {
        id: 'cl_earlier_answer',
        contact_id: old,
        linked_contact_id: onB,
        source: 'ids_for_pages',
        created_at: Date.UTC(2026, 10, 1),
        created_by: 'ids-for-pages',
      });
      await markPsidInvalid(app.ctx.db, old, app.clock.now());
      await matchIdsForPages(app.ctx);

      await emu.emulator.user(gus).says(pageA, 'hello A from my new PSID');
      await drain(app);
      await matchIdsForPages(app.ctx);
      const onA = await contactId(gus, pageA);
      const row = await app.ctx.db
        .selectFrom('contacts')
        .select('merged_into')
        .where('id', '=', old)
        .executeTakeFirstOrThrow();
      assert.equal(row.merged_into, onA);
      const history = (
        await app.server.inject({ url: `/api/v1/contacts/${onA}/messages?order=asc`, headers: bearer(app.ownerToken) })
      )
        .json()
        .data.map((m: { text: string }) => m.text);
      assert.deepEqual(history, ['old PSID message', 'hello A from my new PSID']);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'contact.reconcile')
        .where('subject_id', '=', old)
        .execute();
      assert.deepEqual(
        audit.map((a) => JSON.parse(a.details!)),
        [{ into: onA, via: 'ids_for_pages', psid_invalid: true }],
      );
      const detail = (
        await app.server.inject({ url: `/api/v1/contacts/${onA}`, headers: bearer(app.ownerToken) })
      ).json();
      assert.deepEqual(
        detail.links.map((l: Link) => [l.contact_id, l.source]).sort(),
        [
          [old, 'merge'],
          [onB, 'ids_for_pages'],
        ].sort(),
      );
    });
  });

  describe(`ids_for_pages switched off (the default) [${dialect}]`, () => {
    it('makes no Graph call and no link', async () => {
      const { app, emu, pages } = await emulatedApp(dialect);
      try {
        const [pageA, pageB] = pages as [string, string];
        const hana = emu.emulator.createUser({ first_name: 'Hana', last_name: 'Sato' }).id;
        await emu.emulator.user(hana).says(pageA, 'A');
        await emu.emulator.user(hana).says(pageB, 'B');
        await drain(app);
        assert.equal(await matchIdsForPages(app.ctx), 0);
        assert.equal(emu.emulator.calls().filter((c) => c.path.endsWith('/ids_for_pages')).length, 0);
        assert.equal((await app.ctx.db.selectFrom('contact_links').selectAll().execute()).length, 0);
        assert.equal((await app.ctx.db.selectFrom('contact_id_matching').selectAll().execute()).length, 0);
      } finally {
        await app.close();
        await emu.close();
      }
    });
  });
}
