// Automation rules end to end: people write through the emulator, the webhook is processed, the rules decide inside
// the processing transaction and their sends are outbox rows that the dispatcher delivers. A conversation a person
// handles gets no automation, a rule that offers its own button stops after one pass, the unanswered trigger fires
// once per waiting period, and a handover assigns by round robin within each agent's cap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { until } from '../support/until.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks } from '../../src/app/modules.ts';
import { automationRoutes } from '../../src/http/routes/automations.ts';
import { conversationRoutes } from '../../src/http/routes/conversations.ts';
import { messagingRoutes } from '../../src/http/routes/messaging.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { runUnansweredRules } from '../../src/modules/automations/run-rules.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';
import { drain, emulatedApp, postWebhook } from '../ingest/support.ts';

for (const dialect of testDialects()) {
  describe(`automation rules [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let shop = '';
    let other = '';
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const rule = async (pageId: string, body: object) => {
      const r = await call('POST', `/api/v1/pages/${pageId}/automations`, body);
      assert.equal(r.statusCode, 201, r.body);
      return r.json().id as string;
    };
    const person = (first: string) => emu.emulator.createUser({ first_name: first, last_name: 'Test' }).id;
    const contactOf = async (user: string, page = shop) =>
      (await call('GET', `/api/v1/pages/${page}/contacts/by-psid/${emu.emulator.psid(user, page)}`)).json()
        .id as string;
    /** The texts the rules queued for a contact, oldest first. */
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
    const runsOf = async (ruleId: string) =>
      (
        (await call('GET', `/api/v1/automations/${ruleId}/runs`)).json().data as {
          outcome: string;
          reason: string | null;
        }[]
      )
        .map((r) => (r.reason ? `${r.outcome}:${r.reason}` : r.outcome))
        .reverse();
    const conversationOf = async (contactId: string) =>
      (await call('GET', `/api/v1/conversations/cv_${contactId.slice(contactId.indexOf('_') + 1)}`)).json() as {
        id: string;
        handled_by: string;
        assignee: { id: string } | null;
        assignee_id?: string | null;
      };

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, {}, [
        automationRoutes,
        conversationRoutes,
        messagingRoutes,
      ]));
      [shop, other] = [pages[0]!, pages[1]!];
      installHooks(app.ctx);
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    test('a rule is checked whole before it is stored: the 400 names the field, and the CRUD is audited', async () => {
      const bad = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'slow',
        trigger: { type: 'keyword', match: 'regex', keywords: ['(a+)+$'] },
        actions: [{ type: 'send', text: 'hi' }],
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.details.field, 'trigger.keywords[0]');
      const noAction = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'nothing',
        trigger: { type: 'first_message' },
        actions: [
          { type: 'send', text: 'ok' },
          { type: 'set_status', status: 'gone' },
        ],
      });
      assert.equal(noAction.statusCode, 400);
      assert.equal(noAction.json().error.details.field, 'actions[1].status');
      const badFilter = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'filtered',
        trigger: { type: 'first_message' },
        conditions: { field: 'no.such.field', op: 'eq', value: 1 },
        actions: [{ type: 'tag', tag: 'new' }],
      });
      assert.equal(badFilter.statusCode, 400);
      assert.match(badFilter.json().error.details.field, /^conditions/);

      const id = await rule(shop, {
        name: 'draft',
        trigger: { type: 'first_message' },
        actions: [{ type: 'tag', tag: 'x' }],
      });
      const patched = await call('PATCH', `/api/v1/automations/${id}`, { enabled: false, name: 'draft 2' });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual([patched.json().enabled, patched.json().name], [false, 'draft 2']);
      assert.equal((await call('DELETE', `/api/v1/automations/${id}`)).statusCode, 204);
      assert.equal((await call('GET', `/api/v1/automations/${id}`)).statusCode, 404);
      const audit = await app.ctx.db.selectFrom('audit_events').select('action').where('subject_id', '=', id).execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), [
        'automation.create',
        'automation.delete',
        'automation.update',
      ]);
    });

    test('a keyword typed with other case and accents is answered through the outbox once, and the echo triggers nothing', async () => {
      const hours = await rule(shop, {
        name: 'hours',
        trigger: { type: 'keyword', match: 'contains', keywords: ['opening hours', 'horaires'] },
        actions: [
          { type: 'send', text: 'We open at 9 (opening hours).' },
          { type: 'tag', tag: 'asked hours' },
        ],
      });
      const ana = person('Ana');
      await emu.emulator.user(ana).says(shop, 'What are your ÓPENING  Hours?');
      await drain(app);
      const contact = await contactOf(ana);
      assert.deepEqual(await botTexts(contact), ['We open at 9 (opening hours).']);
      assert.deepEqual(await runsOf(hours), ['fired']);
      const tags = await app.ctx.db
        .selectFrom('contact_tags')
        .select('tag')
        .where('contact_id', '=', contact)
        .execute();
      assert.deepEqual(
        tags.map((t) => t.tag),
        ['asked hours'],
      );

      // The dispatcher delivers it; the Page's echo of its own words comes back through the webhook and runs no rule.
      const dispatcher = startDispatcher(app.ctx, { workerId: 'test' });
      try {
        await until('the answer in Ana’s inbox', async () =>
          emu.emulator.inbox(ana, shop).some((m) => m.text === 'We open at 9 (opening hours).') ? true : undefined,
        );
      } finally {
        await dispatcher.stop();
      }
      await drain(app);
      assert.equal((await botTexts(contact)).length, 1);
      // Every webhook delivered again changes nothing.
      for (const d of emu.emulator.deliveries().filter((r) => r.kind === 'first'))
        await postWebhook(app, d.body, {
          'content-type': 'application/json',
          'x-hub-signature-256': d.headers['x-hub-signature-256']!,
        });
      await drain(app);
      assert.equal((await botTexts(contact)).length, 1);
      assert.deepEqual(await runsOf(hours), ['fired']);
    });

    test('a conversation an agent took over gets no automation, until it is resolved and the bot has it back', async () => {
      const bea = person('Bea');
      await emu.emulator.user(bea).says(shop, 'hi');
      await drain(app);
      const contact = await contactOf(bea);
      assert.equal((await conversationOf(contact)).handled_by, 'bot');
      const reply = await call('POST', `/api/v1/contacts/${contact}/messages`, {
        text: 'Hi Bea, Sam here',
        author: 'agent',
      });
      assert.equal(reply.statusCode, 202, reply.body);
      const conversation = await conversationOf(contact);
      assert.equal(conversation.handled_by, 'human');
      await emu.emulator.user(bea).says(shop, 'and your opening hours?');
      await drain(app);
      assert.deepEqual(await botTexts(contact), []);

      const resolved = await call('PATCH', `/api/v1/conversations/${conversation.id}`, { status: 'resolved' });
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.equal(resolved.json().handled_by, 'bot');
      await emu.emulator.user(bea).says(shop, 'opening hours on Sunday?');
      await drain(app);
      assert.deepEqual(await botTexts(contact), ['We open at 9 (opening hours).']);
      // "Take over" and "hand back" are the conversation's handled_by.
      const taken = await call('PATCH', `/api/v1/conversations/${conversation.id}`, { handled_by: 'human' });
      assert.equal(taken.json().handled_by, 'human');
      await emu.emulator.user(bea).says(shop, 'opening hours again');
      await drain(app);
      assert.equal((await botTexts(contact)).length, 1);
    });

    test('a rule that offers the button that triggers it answers once, then stops', async () => {
      const menu = await rule(shop, {
        name: 'menu',
        trigger: { type: 'quick_reply', payloads: ['MENU'] },
        actions: [
          { type: 'send', text: 'Menu', quick_replies: [{ content_type: 'text', title: 'Menu', payload: 'MENU' }] },
        ],
      });
      const cid = person('Cid');
      await emu.emulator.user(cid).says(shop, 'hello');
      await emu.emulator.user(cid).quickReply(shop, 'Menu', 'MENU');
      await emu.emulator.user(cid).quickReply(shop, 'Menu', 'MENU');
      await drain(app);
      assert.deepEqual(await botTexts(await contactOf(cid)), ['Menu']);
      assert.deepEqual(await runsOf(menu), ['fired', 'loop_stopped']);
    });

    test('the unanswered trigger fires once per waiting period, from the background loop', async () => {
      const waiting = await rule(other, {
        name: 'waiting',
        trigger: { type: 'unanswered', minutes: 10 },
        actions: [{ type: 'tag', tag: 'waited' }],
      });
      const dan = person('Dan');
      await emu.emulator.user(dan).says(other, 'is anyone there?');
      await drain(app);
      assert.equal(await runUnansweredRules(app.ctx), 0);
      app.clock.advance(11 * 60_000);
      assert.equal(await runUnansweredRules(app.ctx), 1);
      assert.equal(await runUnansweredRules(app.ctx), 0);
      app.clock.advance(60 * 60_000);
      assert.equal(await runUnansweredRules(app.ctx), 0);
      assert.deepEqual(await runsOf(waiting), ['fired']);
      await call('PATCH', `/api/v1/automations/${waiting}`, { enabled: false });
    });

    test('handover assigns by round robin among the agents, each up to the cap, and silences the rules', async () => {
      for (const email of ['agent1@example.com', 'agent2@example.com'])
        await createUser(app.ctx, cliActor, { email, role: 'agent' });
      const agents = (
        await app.ctx.db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').execute()
      ).map((u) => u.id);
      const handover = await rule(other, {
        name: 'to a person',
        trigger: { type: 'keyword', match: 'contains', keywords: ['human'] },
        actions: [
          { type: 'send', text: 'A person will answer.' },
          { type: 'handover', max_open_per_agent: 1 },
        ],
      });
      const assigned: (string | null)[] = [];
      for (const name of ['Eva', 'Fay', 'Gus']) {
        const u = person(name);
        await emu.emulator.user(u).says(other, 'I want a HUMAN please');
        await drain(app);
        const c = await conversationOf(await contactOf(u, other));
        assert.equal(c.handled_by, 'human');
        assigned.push(c.assignee?.id ?? null);
      }
      assert.deepEqual(assigned, [agents[0], agents[1], null]);
      assert.deepEqual(await runsOf(handover), ['fired', 'fired', 'fired:no_agent_available']);
    });

    test('outside business hours and the default reply, each within its cap', async () => {
      const put = await call('PUT', `/api/v1/pages/${other}/business-hours`, {
        time_zone: 'America/New_York',
        hours: { mon: [['09:00', '17:00']] },
        holidays: ['2026-12-25'],
      });
      assert.equal(put.statusCode, 200, put.body);
      // Saturday 28 November 2026, 07:00 in New York: closed.
      assert.equal(put.json().open_now, false);
      const closed = await rule(other, {
        name: 'closed',
        trigger: { type: 'outside_hours', cap_minutes: 60 },
        actions: [{ type: 'send', text: 'We are closed now.' }],
      });
      const fallback = await rule(shop, {
        name: 'fallback',
        trigger: { type: 'default', cap_minutes: 30 },
        actions: [{ type: 'send', text: 'Sorry, I did not get that.' }],
      });
      const hal = person('Hal');
      await emu.emulator.user(hal).says(other, 'hello?');
      await emu.emulator.user(hal).says(other, 'hello??');
      await emu.emulator.user(hal).says(shop, 'blue shirt in M?');
      await emu.emulator.user(hal).says(shop, 'opening hours?');
      await emu.emulator.user(hal).says(shop, 'and in L?');
      await drain(app);
      assert.deepEqual(await botTexts(await contactOf(hal, other)), ['We are closed now.']);
      assert.deepEqual(await runsOf(closed), ['fired', 'capped']);
      assert.deepEqual(await botTexts(await contactOf(hal, shop)), [
        'Sorry, I did not get that.',
        'We open at 9 (opening hours).',
      ]);
      assert.deepEqual(await runsOf(fallback), ['fired', 'capped']);
    });
  });
}
