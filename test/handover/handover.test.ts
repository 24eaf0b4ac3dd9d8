// Messenger's handover protocol end to end: the emulator plays a second app (the Helpdesk Bot) on the Page. While it
// owns a thread the person's messages reach pagescope on `standby`: they join the history, but no rule, assistant or
// keyword confirmation answers, and an agent's reply is refused. Taking the thread back (or the other app passing it)
// gives the conversation back to pagescope, and the rules answer again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { EXTERNAL_APP, PAGE_INBOX_APP_ID, type EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks } from '../../src/app/modules.ts';
import { automationRoutes } from '../../src/http/routes/automations.ts';
import { conversationRoutes } from '../../src/http/routes/conversations.ts';
import { messagingRoutes } from '../../src/http/routes/messaging.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';
import { drain, emulatedApp } from '../ingest/support.ts';

const OUR_APP = '1517776481860111';
const DAY = 24 * 3600_000;

interface Conversation {
  id: string;
  handled_by: string;
  thread_owner: { app_id: string | null; is_pagescope: boolean };
  thread_request: { app_id: string; at: string | null } | null;
}

for (const dialect of testDialects()) {
  describe(`handover to other apps [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let shop = '';
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const person = (first: string) => emu.emulator.createUser({ first_name: first, last_name: 'Test' }).id;
    const says = async (user: string, text: string) => {
      await emu.emulator.user(user).says(shop, text);
      await drain(app);
    };
    /** The second app acts on the person's thread through the emulator's control API. */
    const secondApp = async (user: string, action: 'take' | 'pass' | 'request', target?: string) => {
      await emu.emulator.handover({
        user_id: user,
        page_id: shop,
        app_id: EXTERNAL_APP.id,
        action,
        ...(target && { target_app_id: target }),
      });
      await drain(app);
    };
    const contactOf = async (user: string) =>
      (await call('GET', `/api/v1/pages/${shop}/contacts/by-psid/${emu.emulator.psid(user, shop)}`)).json()
        .id as string;
    const conversationOf = async (contactId: string) =>
      (
        await call('GET', `/api/v1/conversations/cv_${contactId.slice(contactId.indexOf('_') + 1)}`)
      ).json() as Conversation;
    const threadControl = (conversationId: string, body: object) =>
      call('POST', `/api/v1/conversations/${conversationId}/thread-control`, body);
    /** Who Meta says owns the thread (the emulator's Graph API, as our app asks it). */
    const metaOwner = async (user: string) => {
      const token = emu.emulator.pages().find((p) => p.id === shop)!.access_token;
      const r = await emu.emulator.graph({
        method: 'GET',
        path: '/v25.0/me/thread_owner',
        query: { access_token: token, recipient: emu.emulator.psid(user, shop)! },
      });
      return ((r.body as { data: { thread_owner: { app_id: string } }[] }).data[0]?.thread_owner.app_id ?? null) as
        string | null;
    };
    const botTexts = async (contactId: string) => {
      const rows = await app.ctx.db
        .selectFrom('deliveries')
        .selectAll()
        .where('contact_id', '=', contactId)
        .where('author', '=', 'automation')
        .orderBy('id')
        .execute();
      return rows.map((d) => {
        const body = openContactField(app.ctx, d.contact_id, d.body_enc, {
          table: 'deliveries',
          column: 'body_enc',
          pageId: d.page_id,
          rowId: d.id,
        });
        return (JSON.parse(body) as { text?: string }).text ?? '';
      });
    };
    const historyTexts = async (contactId: string) =>
      ((await call('GET', `/api/v1/contacts/${contactId}/messages?limit=50`)).json().data as { text: string | null }[])
        .map((m) => m.text)
        .filter((t) => t !== null);

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, { appId: OUR_APP }, { META_APP_ID: OUR_APP }, [
        automationRoutes,
        conversationRoutes,
        messagingRoutes,
      ]));
      shop = pages[0]!;
      installHooks(app.ctx);
      const hours = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'hours',
        trigger: { type: 'keyword', match: 'contains', keywords: ['opening hours'] },
        actions: [{ type: 'send', text: 'We open at 9.' }],
      });
      assert.equal(hours.statusCode, 201, hours.body);
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    test('while the second app owns the thread, the person’s message is history only: no rule answers, agents are refused', async () => {
      const ana = person('Ana');
      await says(ana, 'hello');
      const contact = await contactOf(ana);
      const conversation = await conversationOf(contact);
      assert.deepEqual(conversation.thread_owner, { app_id: OUR_APP, is_pagescope: true });

      // The thread is idle: the second app takes it, and Meta tells nobody (there was no owner to tell).
      await secondApp(ana, 'take');
      assert.equal(await metaOwner(ana), EXTERNAL_APP.id);
      await says(ana, 'what are your opening hours?');
      const last = JSON.parse(emu.emulator.deliveries().at(-1)!.body) as { entry: Record<string, unknown>[] };
      assert.ok('standby' in last.entry[0]!, 'Meta delivers it on the standby channel');
      assert.deepEqual((await conversationOf(contact)).thread_owner, { app_id: null, is_pagescope: false });
      assert.deepEqual(await historyTexts(contact), ['what are your opening hours?', 'hello']);
      assert.deepEqual(await botTexts(contact), []);

      const reply = await call('POST', `/api/v1/contacts/${contact}/messages`, { text: 'Sam here', author: 'agent' });
      assert.equal(reply.statusCode, 422, reply.body);
      assert.equal(reply.json().error.code, 'thread_owned');
      assert.match(reply.json().error.message, /another app .* take thread control/);
    });

    test('a take from pagescope reaches us as take_thread_control: the conversation names the app and the inbox hears of it', async () => {
      const ivy = person('Ivy');
      await says(ivy, 'hello');
      const contact = await contactOf(ivy);
      const { id } = await conversationOf(contact);
      assert.equal((await threadControl(id, { action: 'take' })).statusCode, 200);
      const before = await app.ctx.db
        .selectFrom('inbox_events')
        .select('seq')
        .where('conversation_id', '=', id)
        .where('type', '=', 'conversation.updated')
        .execute();
      await secondApp(ivy, 'take');
      assert.deepEqual((await conversationOf(contact)).thread_owner, { app_id: EXTERNAL_APP.id, is_pagescope: false });
      const afterwards = await app.ctx.db
        .selectFrom('inbox_events')
        .select('seq')
        .where('conversation_id', '=', id)
        .where('type', '=', 'conversation.updated')
        .execute();
      assert.equal(afterwards.length, before.length + 1, 'one conversation.updated for the new owner');
      await says(ivy, 'opening hours?');
      assert.deepEqual(await botTexts(contact), []);
      assert.deepEqual((await conversationOf(contact)).thread_owner.app_id, EXTERNAL_APP.id, 'standby keeps the name');
    });

    test('a STOP on standby withdraws consent but sends no confirmation: only the owner may answer', async () => {
      const bea = person('Bea');
      await says(bea, 'hi');
      await secondApp(bea, 'take');
      await says(bea, 'STOP');
      const contact = await contactOf(bea);
      const row = await app.ctx.db
        .selectFrom('contacts')
        .select('consent_replies')
        .where('id', '=', contact)
        .executeTakeFirstOrThrow();
      assert.equal(row.consent_replies, 'withdrawn');
      assert.deepEqual(await botTexts(contact), []);
    });

    test('pagescope takes the thread back: Meta agrees, the conversation shows it, the rules answer again', async () => {
      const cid = person('Cid');
      await says(cid, 'hello');
      await secondApp(cid, 'take');
      const contact = await contactOf(cid);
      const conversation = await conversationOf(contact);
      await says(cid, 'opening hours?');
      assert.deepEqual(await botTexts(contact), []);

      const taken = await threadControl(conversation.id, { action: 'take' });
      assert.equal(taken.statusCode, 200, taken.body);
      assert.deepEqual((taken.json() as Conversation).thread_owner, { app_id: OUR_APP, is_pagescope: true });
      assert.equal(await metaOwner(cid), OUR_APP);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'conversation.thread_control')
        .where('subject_id', '=', conversation.id)
        .execute();
      assert.equal(audit.length, 1);

      await says(cid, 'opening hours, please?');
      assert.deepEqual(await botTexts(contact), ['We open at 9.']);
      const reply = await call('POST', `/api/v1/contacts/${contact}/messages`, { text: 'Sam here', author: 'agent' });
      assert.equal(reply.statusCode, 202, reply.body);
    });

    test('pagescope passes the thread to the second app, which passes it back; Meta’s refusals come back as 409', async () => {
      const dan = person('Dan');
      await says(dan, 'hello');
      const contact = await contactOf(dan);
      const { id } = await conversationOf(contact);
      const apps = await call('GET', `/api/v1/conversations/${id}/handover-apps`);
      assert.equal(apps.statusCode, 200, apps.body);
      assert.deepEqual(
        apps.json().data.map((a: { id: string }) => a.id),
        [PAGE_INBOX_APP_ID, EXTERNAL_APP.id],
      );
      assert.equal((await threadControl(id, { action: 'request' })).statusCode, 409, 'nothing to request: it is ours');

      const passed = await threadControl(id, { action: 'pass', target_app_id: EXTERNAL_APP.id });
      assert.equal(passed.statusCode, 200, passed.body);
      assert.deepEqual((passed.json() as Conversation).thread_owner, { app_id: EXTERNAL_APP.id, is_pagescope: false });
      assert.equal(await metaOwner(dan), EXTERNAL_APP.id);

      const again = await threadControl(id, { action: 'pass', target_app_id: PAGE_INBOX_APP_ID });
      assert.equal(again.statusCode, 409, again.body);
      assert.match(again.json().error.message, /Meta refused/);
      assert.equal((await conversationOf(contact)).thread_owner.app_id, EXTERNAL_APP.id);

      const asked = await threadControl(id, { action: 'request' });
      assert.equal(asked.statusCode, 200, asked.body);
      assert.ok(emu.emulator.calls().some((c) => c.path.endsWith('/me/request_thread_control') && c.status === 200));

      await secondApp(dan, 'pass', OUR_APP);
      assert.deepEqual((await conversationOf(contact)).thread_owner, { app_id: OUR_APP, is_pagescope: true });
      await says(dan, 'opening hours today?');
      assert.deepEqual(await botTexts(contact), ['We open at 9.']);
    });

    test('another app asking for our thread shows on the conversation until we decline it or pass the thread', async () => {
      const eve = person('Eve');
      await says(eve, 'hello');
      const contact = await contactOf(eve);
      const { id } = await conversationOf(contact);
      assert.equal((await conversationOf(contact)).thread_request, null);
      assert.equal((await threadControl(id, { action: 'decline' })).statusCode, 409, 'nothing asked yet');
      // Meta tells the thread's owner of a request: pagescope takes the idle thread first.
      assert.equal((await threadControl(id, { action: 'take' })).statusCode, 200);

      const updates = async () =>
        (
          await app.ctx.db
            .selectFrom('inbox_events')
            .select('seq')
            .where('conversation_id', '=', id)
            .where('type', '=', 'conversation.updated')
            .execute()
        ).length;
      const before = await updates();
      await secondApp(eve, 'request');
      const asked = await conversationOf(contact);
      assert.equal(asked.thread_request?.app_id, EXTERNAL_APP.id);
      assert.ok(asked.thread_owner.is_pagescope, 'asking changes no owner');
      assert.ok((await updates()) > before, 'the inbox hears of the request');

      const declined = await threadControl(id, { action: 'decline' });
      assert.equal(declined.statusCode, 200, declined.body);
      assert.equal((declined.json() as Conversation).thread_request, null);
      assert.ok(
        emu.emulator.calls().every((c) => !c.path.includes('decline')),
        'nothing is sent to Meta',
      );
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_id', '=', id)
        .where('action', '=', 'conversation.thread_control')
        .execute();
      assert.ok(audit.some((a) => a.details?.includes('"decline"')));

      // Asked again a minute later, then passed: the pass answers it.
      app.clock.advance(60_000);
      emu.emulator.clock.advance(60_000);
      await secondApp(eve, 'request');
      assert.equal((await conversationOf(contact)).thread_request?.app_id, EXTERNAL_APP.id);
      const passed = await threadControl(id, { action: 'pass', target_app_id: EXTERNAL_APP.id });
      assert.equal(passed.statusCode, 200, passed.body);
      assert.equal((passed.json() as Conversation).thread_request, null);
      await secondApp(eve, 'pass', OUR_APP);
      const back = await conversationOf(contact);
      assert.ok(back.thread_owner.is_pagescope);
      assert.equal(back.thread_request, null, 'an answered request does not come back');
    });

    test('bad thread-control requests are refused with a 400 and change nothing', async () => {
      const eva = person('Eva');
      await says(eva, 'hello');
      const { id } = await conversationOf(await contactOf(eva));
      for (const body of [
        { action: 'pass' },
        { action: 'pass', target_app_id: OUR_APP },
        { action: 'take', target_app_id: EXTERNAL_APP.id },
        { action: 'steal' },
        { action: 'pass', target_app_id: 'not-an-id' },
      ]) {
        const r = await threadControl(id, body);
        assert.equal(r.statusCode, 400, JSON.stringify(body));
      }
      assert.equal(
        (await call('POST', '/api/v1/conversations/cv_nope/thread-control', { action: 'take' })).statusCode,
        404,
      );
      assert.equal(await metaOwner(eva), null);
    });

    test('once the other app’s control lapses, the person’s next message comes on messaging and the thread is ours', async () => {
      const fay = person('Fay');
      await says(fay, 'hello');
      await secondApp(fay, 'take');
      await says(fay, 'anyone?');
      const contact = await contactOf(fay);
      assert.equal((await conversationOf(contact)).thread_owner.is_pagescope, false);
      await emu.emulator.advance(DAY + 1);
      await says(fay, 'opening hours?');
      assert.deepEqual((await conversationOf(contact)).thread_owner, { app_id: OUR_APP, is_pagescope: true });
    });
  });
}
