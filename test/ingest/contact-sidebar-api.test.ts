import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { conversationRoutes } from '../../src/http/routes/conversations.ts';
import { privacyRoutes } from '../../src/http/routes/privacy.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { signInWithLink } from '../../src/modules/users/sign-in.ts';
import { drain, emulatedApp, tokenFor } from './support.ts';

// What the contact sidebar, the contacts list and the privacy screen read: a contact without its identifiers, the
// PSID revealed on purpose and audited, the person's previous activity, and lists filtered by status.
for (const dialect of testDialects()) {
  describe(`the contact sidebar's API [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let pageA: string;
    let pageB: string;
    let maya: string;
    let mayaId: string;
    let otherId: string;
    const get = (url: string, token = app.ownerToken) => app.server.inject({ url, headers: bearer(token) });
    const identifierReads = async () =>
      app.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'contact.identifier_read').execute();

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, {}, [conversationRoutes, privacyRoutes]));
      [pageA, pageB] = pages as [string, string];
      maya = emu.emulator.createUser({ first_name: 'Maya', last_name: 'Okafor' }).id;
      const theo = emu.emulator.createUser({ first_name: 'Théo', last_name: 'Martin' }).id;
      await emu.emulator.user(maya).says(pageA, 'Where is my parcel?');
      await emu.emulator.user(maya).says(pageA, 'It was due on Monday');
      await emu.emulator.user(theo).says(pageB, 'Hello from the other shop');
      await drain(app);
      await enrichProfiles(app.ctx);
      mayaId = (await get(`/api/v1/pages/${pageA}/contacts?q=maya&identifiers=false`)).json().data[0].id;
      otherId = (await get(`/api/v1/pages/${pageB}/contacts?identifiers=false`)).json().data[0].id;
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    it('leaves the PSID and picture out of a read that asks so, and audits no identifier read for it', async () => {
      const before = (await identifierReads()).length;
      const one = await get(`/api/v1/contacts/${mayaId}?identifiers=false`);
      const list = await get(`/api/v1/pages/${pageA}/contacts?identifiers=false`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().name, 'Maya Okafor');
      for (const v of [one.json(), list.json().data[0]]) {
        assert.equal('psid' in v, false);
        assert.equal('picture_url' in v, false);
      }
      assert.equal((await identifierReads()).length, before);
      assert.ok('psid' in (await get(`/api/v1/contacts/${mayaId}`)).json(), 'the default read still carries it');
      assert.equal((await get(`/api/v1/contacts/${mayaId}?identifiers=maybe`)).statusCode, 400);
    });

    it('reveals the PSID on purpose to identifier readers, audited without the PSID in the row', async () => {
      const psid = emu.emulator.psid(maya, pageA)!;
      app.clock.t += 1000; // a later audit row than every one before (they are listed newest first)
      const res = await get(`/api/v1/contacts/${mayaId}/identifiers`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().psid, psid);
      assert.match(res.json().picture_url, /^https?:/);
      assert.equal(res.headers['cache-control'], 'no-store');
      const [last] = (await identifierReads()).sort((a, b) => (a.id < b.id ? 1 : -1));
      assert.equal(last!.subject_id, mayaId);
      assert.equal(JSON.parse(last!.details!).via, 'reveal');
      assert.ok(!last!.details!.includes(psid));
      const audit = await get(`/api/v1/audit-events?action=contact.identifier_read&subject_id=${mayaId}&limit=1`);
      assert.equal(audit.json().data[0].details.via, 'reveal');
    });

    it('names the operator who revealed it in the audit log by email; a token by its id alone', async () => {
      const person = await createUser(app.ctx, cliActor, { email: 'olivia@example.com', role: 'owner' });
      const signed = await signInWithLink(app.ctx, new URL(person.login_url).pathname.split('/').pop()!, {
        source: '127.0.0.9',
        requestId: null,
      });
      const cookie = `pagescope_session=${signed.session.token}`;
      app.clock.t += 1000;
      const reveal = await app.server.inject({ url: `/api/v1/contacts/${mayaId}/identifiers`, headers: { cookie } });
      assert.equal(reveal.statusCode, 200);
      const [byPerson, byToken] = (
        await get(`/api/v1/audit-events?action=contact.identifier_read&subject_id=${mayaId}&limit=2`)
      ).json().data;
      assert.deepEqual(byPerson.actor, { type: 'user', id: person.user.id, email: 'olivia@example.com' });
      assert.equal(byToken.actor.type, 'token');
      assert.equal('email' in byToken.actor, false);
    });

    it('refuses the reveal to agents, analysts and marketers, and hides another Page’s contact as missing', async () => {
      for (const role of ['agent', 'analyst', 'marketer']) {
        const r = await get(`/api/v1/contacts/${mayaId}/identifiers`, await tokenFor(app, role));
        assert.equal(r.statusCode, 403, role);
      }
      const ownerOfA = await tokenFor(app, 'owner', [pageA]);
      for (const path of ['identifiers', 'activity']) {
        const r = await get(`/api/v1/contacts/${otherId}/${path}`, ownerOfA);
        assert.equal(r.statusCode, 404, path);
        assert.equal(r.json().error.code, 'not_found');
      }
    });

    it('tells the previous activity: first seen, messages each way, and when the conversation was last resolved', async () => {
      const agent = await tokenFor(app, 'agent', [pageA]);
      let activity = (await get(`/api/v1/contacts/${mayaId}/activity`, agent)).json();
      assert.equal(activity.messages.received, 2);
      assert.equal(activity.messages.sent, 0);
      assert.equal(activity.conversation.status, 'open');
      assert.equal(activity.conversation.last_resolved_at, null);
      assert.ok(Date.parse(activity.first_seen_at) <= Date.parse(activity.last_inbound_at));
      const conversation = activity.conversation.id;
      const patch = await app.server.inject({
        method: 'PATCH',
        url: `/api/v1/conversations/${conversation}`,
        headers: bearer(agent),
        payload: { status: 'resolved' },
      });
      assert.equal(patch.statusCode, 200);
      const note = await app.server.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conversation}/notes`,
        headers: bearer(agent),
        payload: { text: 'called the carrier' },
      });
      assert.equal(note.statusCode, 201);
      activity = (await get(`/api/v1/contacts/${mayaId}/activity`, agent)).json();
      assert.equal(activity.conversation.status, 'resolved');
      assert.deepEqual(activity.messages, { received: 2, sent: 0, notes: 1 });
      assert.equal(activity.last_outbound_at, null, 'a note is no reply');
      assert.equal(activity.conversation.last_resolved_at, new Date(app.clock.now()).toISOString());
      const marketer = await get(`/api/v1/contacts/${mayaId}/activity`, await tokenFor(app, 'marketer'));
      assert.equal(marketer.statusCode, 403, 'no history for those who may not read it');
    });

    it('filters contacts by status', async () => {
      await app.ctx.db
        .updateTable('contacts')
        .set({ status: 'unreachable', status_reason: 'unreachable', status_at: app.clock.now() })
        .where('id', '=', mayaId)
        .execute();
      const unreachable = (await get(`/api/v1/pages/${pageA}/contacts?status=unreachable`)).json().data;
      assert.deepEqual(
        unreachable.map((c: { id: string }) => c.id),
        [mayaId],
      );
      assert.equal(unreachable[0].unreachable_reason, 'unreachable');
      assert.equal((await get(`/api/v1/pages/${pageA}/contacts?status=active`)).json().data.length, 0);
      assert.equal((await get(`/api/v1/pages/${pageA}/contacts?status=erased`)).statusCode, 400);
    });

    it('filters privacy requests by status (open: not completed) and by contact', async () => {
      const opened = await app.server.inject({
        method: 'POST',
        url: '/api/v1/privacy/requests',
        headers: bearer(app.ownerToken),
        payload: { type: 'access', contact_id: mayaId },
      });
      assert.equal(opened.statusCode, 202);
      const ids = async (query: string) =>
        (await get(`/api/v1/privacy/requests?${query}`)).json().data.map((r: { id: string }) => r.id);
      assert.deepEqual(await ids('status=open'), [opened.json().id]);
      assert.deepEqual(await ids('status=pending'), [opened.json().id]);
      assert.deepEqual(await ids('status=completed'), []);
      assert.deepEqual(await ids(`contact_id=${mayaId}`), [opened.json().id]);
      assert.deepEqual(await ids(`contact_id=${otherId}`), []);
      assert.equal((await get('/api/v1/privacy/requests?status=done')).statusCode, 400);
    });
  });
}
