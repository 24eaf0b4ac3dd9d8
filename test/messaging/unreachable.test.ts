// One send that Meta refuses with 100/2018001 (no such PSID) does not silence a person for good: the contact shows
// unreachable (since when, and why), an API send is refused up front with 422, and the next action from that PSID
// makes it reachable again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { messagingRoutes } from '../../src/http/routes/messaging.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { drain, emulatedApp, envelope, messageItem, postWebhook } from '../ingest/support.ts';
import { eventually } from './support.ts';

for (const dialect of testDialects()) {
  describe(`a contact whose PSID Meta refused [${dialect}]`, () => {
    let app: TestApp;
    let emu: EmulatorServer;
    let page: string;
    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, {}, [messagingRoutes]));
      page = pages[0]!;
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const sendUntilFinal = async (contactId: string, text: string) => {
      // As a careful client does: a 5xx is retried with the same idempotency key (on SQLite a send can still meet
      // SQLITE_BUSY from the webhook intake under load).
      const key = `k-${contactId}-${text}`;
      let r = await api('POST', `/api/v1/contacts/${contactId}/messages`, { text, idempotency_key: key });
      for (let i = 0; i < 5 && r.statusCode >= 500; i++)
        r = await api('POST', `/api/v1/contacts/${contactId}/messages`, { text, idempotency_key: key });
      assert.equal(r.statusCode, 202);
      const id = r.json().delivery.id as string;
      const worker = startDispatcher(app.ctx, { idleMs: 20 });
      try {
        await eventually(
          async () =>
            ['sent', 'failed', 'skipped'].includes((await api('GET', `/api/v1/deliveries/${id}`)).json().status),
          'the send is final',
        );
      } finally {
        await worker.stop();
      }
      return (await api('GET', `/api/v1/deliveries/${id}`)).json();
    };

    it('shows it unreachable and refuses sends with 422 until the person acts from that PSID again', async () => {
      const ana = emu.emulator.createUser({ first_name: 'Ana', last_name: 'Silva' }).id;
      const { psid } = await emu.emulator.user(ana).says(page, 'hello');
      await drain(app);
      const contact = (await api('GET', `/api/v1/pages/${page}/contacts/by-psid/${psid}`)).json();
      assert.deepEqual([contact.status, contact.unreachable_since, contact.unreachable_reason], ['active', null, null]);
      assert.equal((await sendUntilFinal(contact.id, 'first reply')).status, 'sent');

      // Meta stops knowing the PSID: the next send fails with 100/2018001.
      emu.emulator.reassignPsid(ana, page);
      const failed = await sendUntilFinal(contact.id, 'are you there?');
      assert.deepEqual(
        [failed.status, failed.error.code, failed.error.meta_subcode],
        ['failed', 'invalid_recipient', 2018001],
      );

      const shown = (await api('GET', `/api/v1/contacts/${contact.id}`)).json();
      assert.equal(shown.status, 'unreachable');
      assert.equal(shown.unreachable_reason, 'invalid_recipient');
      assert.ok(Date.parse(shown.unreachable_since) > 0, 'says since when');
      const listed = (await api('GET', `/api/v1/pages/${page}/contacts`))
        .json()
        .data.find((c: { id: string }) => c.id === contact.id);
      assert.equal(listed.status, 'unreachable');

      const deliveriesBefore = (await app.ctx.db.selectFrom('deliveries').select('id').execute()).length;
      const refused = await api('POST', `/api/v1/contacts/${contact.id}/messages`, { text: 'hello?' });
      assert.equal(refused.statusCode, 422);
      assert.equal(refused.json().error.code, 'unreachable');
      assert.equal(
        (await app.ctx.db.selectFrom('deliveries').select('id').execute()).length,
        deliveriesBefore,
        'nothing queued to be skipped in silence',
      );

      // Someone else in the same state, who does not write again.
      const cy = emu.emulator.createUser({ first_name: 'Cy', last_name: 'Other' }).id;
      const cyPsid = (await emu.emulator.user(cy).says(page, 'hi')).psid;
      await drain(app);
      const cyContact = (await api('GET', `/api/v1/pages/${page}/contacts/by-psid/${cyPsid}`)).json();
      emu.emulator.reassignPsid(cy, page);
      assert.equal((await sendUntilFinal(cyContact.id, 'hello cy')).status, 'failed');

      // A message from that PSID proves it works again.
      app.clock.advance(60_000);
      const res = await postWebhook(
        app,
        envelope(page, [messageItem(page, psid!, 'm_back_again', 'still here', app.clock.now())]),
      );
      assert.equal(res.statusCode, 200);
      await drain(app);
      const back = (await api('GET', `/api/v1/contacts/${contact.id}`)).json();
      assert.deepEqual([back.status, back.unreachable_since, back.unreachable_reason], ['active', null, null]);
      const row = await app.ctx.db
        .selectFrom('contacts')
        .select('psid_invalid_at')
        .where('id', '=', contact.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.psid_invalid_at, null);
      assert.equal(
        (await api('GET', `/api/v1/contacts/${cyContact.id}`)).json().status,
        'unreachable',
        'only the person who acted is reachable again',
      );
      const accepted = await api('POST', `/api/v1/contacts/${contact.id}/messages`, { text: 'welcome back' });
      assert.equal(accepted.statusCode, 202);
      assert.equal(accepted.json().delivery.status, 'queued');
    });

    it('clears the mark on any action from that PSID, not only a message', async () => {
      const actions: Record<string, (psid: string, at: number) => Record<string, unknown>> = {
        postback: (psid, at) => ({
          sender: { id: psid },
          recipient: { id: page },
          timestamp: at,
          postback: { title: 'Start', payload: 'START', mid: `m_pb_${at}` },
        }),
        reaction: (psid, at) => ({
          sender: { id: psid },
          recipient: { id: page },
          timestamp: at,
          reaction: { mid: 'm_any', action: 'react', reaction: 'love', emoji: '\u2764' },
        }),
      };
      for (const [name, item] of Object.entries(actions)) {
        const user = emu.emulator.createUser({ first_name: 'Bo', last_name: name }).id;
        const { psid } = await emu.emulator.user(user).says(page, 'hi');
        await drain(app);
        const contact = (await api('GET', `/api/v1/pages/${page}/contacts/by-psid/${psid}`)).json();
        emu.emulator.reassignPsid(user, page);
        assert.equal((await sendUntilFinal(contact.id, 'ping')).status, 'failed');
        assert.equal((await api('GET', `/api/v1/contacts/${contact.id}`)).json().status, 'unreachable');
        app.clock.advance(60_000);
        assert.equal((await postWebhook(app, envelope(page, [item(psid!, app.clock.now())]))).statusCode, 200);
        await drain(app);
        assert.equal((await api('GET', `/api/v1/contacts/${contact.id}`)).json().status, 'active', name);
        assert.equal(
          (await api('POST', `/api/v1/contacts/${contact.id}/messages`, { text: 'back' })).statusCode,
          202,
          name,
        );
      }
    });
  });
}
