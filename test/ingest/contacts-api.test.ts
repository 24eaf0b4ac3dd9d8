import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { drain, emulatedApp, tokenFor } from './support.ts';

for (const dialect of testDialects()) {
  describe(`contacts REST API with the emulator as Meta [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let pageA: string;
    let pageB: string;
    let chloe: string;
    const get = (url: string, token: string) => app.server.inject({ url, headers: bearer(token) });

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect));
      [pageA, pageB] = pages as [string, string];
      chloe = emu.emulator.createUser({
        first_name: 'Chloé',
        last_name: 'Dubois-Müller',
        locale: 'fr_FR',
        timezone: 1,
      }).id;
      await emu.emulator.user(chloe).says(pageA!, 'Bonjour, où est ma commande ?');
      await emu.emulator.user(chloe).says(pageB!, 'Hello from the other shop');
      await drain(app);
      await enrichProfiles(app.ctx);
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    it('makes one person on two Pages two unlinked contacts', async () => {
      const rows = await app.ctx.db.selectFrom('contacts').selectAll().execute();
      assert.equal(rows.length, 2);
      assert.notEqual(rows[0]!.psid_bidx, rows[1]!.psid_bidx);
      assert.equal((await app.ctx.db.selectFrom('contact_links').selectAll().execute()).length, 0);
    });

    it('fills the profile lazily from the User Profile API and finds names by accent-free prefixes', async () => {
      const list = await get(`/api/v1/pages/${pageA}/contacts?q=chlo%20MUL`, app.ownerToken);
      assert.equal(list.statusCode, 200);
      const [contact] = list.json().data;
      assert.equal(contact.first_name, 'Chloé');
      assert.equal(contact.last_name, 'Dubois-Müller');
      assert.equal(contact.locale, 'fr_FR');
      assert.equal((await get(`/api/v1/pages/${pageA}/contacts?q=zed`, app.ownerToken)).json().data.length, 0);
    });

    it('shows the window and the history, newest first or oldest first', async () => {
      const [contact] = (await get(`/api/v1/pages/${pageA}/contacts`, app.ownerToken)).json().data;
      assert.ok(contact.window.last_user_action_at);
      assert.equal(
        Date.parse(contact.window.standard_ends_at) - Date.parse(contact.window.last_user_action_at),
        24 * 3600_000,
      );
      await emu.emulator.advance(1000);
      await emu.emulator.user(chloe).says(pageA!, 'second message');
      await drain(app);
      const desc = (await get(`/api/v1/contacts/${contact.id}/messages`, app.ownerToken)).json().data;
      assert.deepEqual(
        desc.map((m: { text: string }) => m.text),
        ['second message', 'Bonjour, où est ma commande ?'],
      );
      const asc = await get(`/api/v1/contacts/${contact.id}/messages?order=asc&limit=1`, app.ownerToken);
      assert.equal(asc.json().data[0].text, 'Bonjour, où est ma commande ?');
      const next = await get(
        `/api/v1/contacts/${contact.id}/messages?order=asc&limit=1&cursor=${asc.json().next_cursor}`,
        app.ownerToken,
      );
      assert.equal(next.json().data[0].text, 'second message');
      assert.equal(next.json().data[0].direction, 'inbound');
    });

    it('gives the identifiers (PSID, picture URL) only to identifier readers and audits every such read', async () => {
      const psid = emu.emulator.psid(chloe, pageA!)!;
      const owner = await get(`/api/v1/pages/${pageA}/contacts/by-psid/${psid}`, app.ownerToken);
      assert.equal(owner.json().psid, psid);
      assert.match(owner.json().picture_url, /^https?:/);
      const agent = await tokenFor(app, 'agent');
      const lookup = await get(`/api/v1/pages/${pageA}/contacts/by-psid/${psid}`, agent);
      assert.equal(lookup.statusCode, 200);
      for (const role of ['agent', 'marketer', 'analyst']) {
        const token = role === 'agent' ? agent : await tokenFor(app, role);
        const views = [
          (await get(`/api/v1/contacts/${owner.json().id}`, token)).json(),
          (await get(`/api/v1/pages/${pageA}/contacts`, token)).json().data[0],
        ];
        for (const v of views) {
          assert.equal(v.id, owner.json().id, role);
          assert.equal('psid' in v, false, `${role} sees no PSID`);
          assert.equal('picture_url' in v, false, `${role} sees no picture URL`);
        }
      }
      const audits = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'contact.identifier_read')
        .execute();
      assert.ok(audits.length >= 2);
      assert.ok(audits.every((a) => !(a.details ?? '').includes(psid)));
    });

    it('refuses a lookup by PSID to analysts and marketers, whatever the PSID', async () => {
      const psid = emu.emulator.psid(chloe, pageA!)!;
      for (const role of ['analyst', 'marketer']) {
        const token = await tokenFor(app, role);
        for (const p of [psid, '999999999999']) {
          const r = await get(`/api/v1/pages/${pageA}/contacts/by-psid/${p}`, token);
          assert.equal(r.statusCode, 403, `${role} ${p === psid ? 'known' : 'unknown'} PSID`);
          assert.equal(r.json().error.code, 'forbidden');
        }
      }
    });

    it('answers 404 to a Page-A token for everything of Page B, exactly as for what does not exist', async () => {
      const tokenA = await tokenFor(app, 'agent', [pageA!]);
      const bContact = (await get(`/api/v1/pages/${pageB}/contacts`, app.ownerToken)).json().data[0];
      const psidB = emu.emulator.psid(chloe, pageB!)!;
      const answers = [
        await get(`/api/v1/contacts/${bContact.id}`, tokenA),
        await get(`/api/v1/contacts/${bContact.id}/messages`, tokenA),
        await get(`/api/v1/pages/${pageB}/contacts`, tokenA),
        await get(`/api/v1/pages/${pageB}/contacts/by-psid/${psidB}`, tokenA),
      ];
      const missing = await get('/api/v1/contacts/ct_00000000000000000000000000', tokenA);
      for (const a of answers) {
        assert.equal(a.statusCode, 404);
        assert.equal(a.json().error.code, missing.json().error.code);
      }
      assert.equal((await get(`/api/v1/pages/${pageA}/contacts`, tokenA)).json().data.length, 1);
    });

    it('answers 404 under /pages/{pageId} for a Page that does not exist, as for any missing object', async () => {
      const psid = emu.emulator.psid(chloe, pageA!)!;
      for (const url of [
        '/api/v1/pages/999/contacts',
        '/api/v1/pages/999/contacts?q=chlo',
        `/api/v1/pages/999/contacts/by-psid/${psid}`,
        '/api/v1/pages/999',
      ]) {
        const r = await get(url, app.ownerToken);
        assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
        assert.equal(r.json().error.code, 'not_found');
      }
    });

    it('lets only owners and admins merge two contacts of one Page into one history and split them again, audited', async () => {
      const other = emu.emulator.createUser({ first_name: 'Chloe', last_name: 'Dubois' }).id;
      await emu.emulator.user(other).says(pageA!, 'same person, new account');
      await drain(app);
      const idOf = async (user: string) =>
        (await get(`/api/v1/pages/${pageA}/contacts/by-psid/${emu.emulator.psid(user, pageA!)}`, app.ownerToken)).json()
          .id as string;
      const [newer, older] = [await idOf(other), await idOf(chloe)];
      for (const role of ['agent', 'marketer', 'analyst']) {
        const token = await tokenFor(app, role);
        const refused = await app.server.inject({
          method: 'POST',
          url: `/api/v1/contacts/${newer}/merge`,
          headers: bearer(token),
          payload: { into: older },
        });
        assert.deepEqual([refused.statusCode, refused.json().error.code], [403, 'forbidden'], role);
      }
      assert.equal(
        (await get(`/api/v1/contacts/${older}/messages`, app.ownerToken)).json().data.length,
        2,
        'nothing merged by a refused role',
      );
      const admin = await tokenFor(app, 'admin');
      const merged = await app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${newer}/merge`,
        headers: bearer(admin),
        payload: { into: older },
      });
      assert.equal(merged.statusCode, 200);
      const history = (await get(`/api/v1/contacts/${older}/messages`, app.ownerToken)).json().data;
      assert.equal(history.length, 3);
      assert.equal((await get(`/api/v1/pages/${pageA}/contacts`, app.ownerToken)).json().data.length, 1);
      const agentSplit = await app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${newer}/split`,
        headers: bearer(await tokenFor(app, 'agent')),
      });
      assert.equal(agentSplit.statusCode, 403);
      const split = await app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${newer}/split`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(split.statusCode, 200);
      assert.equal((await get(`/api/v1/contacts/${older}/messages`, app.ownerToken)).json().data.length, 2);
      const actions = (
        await app.ctx.db.selectFrom('audit_events').select('action').where('subject_id', '=', newer).execute()
      ).map((r) => r.action);
      assert.deepEqual(actions.filter((a) => a.startsWith('contact.m') || a.startsWith('contact.s')).sort(), [
        'contact.merge',
        'contact.split',
      ]);
    });
  });
}
