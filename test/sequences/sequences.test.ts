// Follow-up sequences end to end: people write through the emulator, an operator (or a rule) subscribes them, the
// sequence sender sends each due step through the outbox in order and with its delays (time moved by hand on the
// app's clock and the emulator's together), and the dispatcher delivers them to the emulated people. A reply or an
// opt-out ends a subscription, subscribing twice sends once, and a step the window no longer allows is skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { until } from '../support/until.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks } from '../../src/app/modules.ts';
import { automationRoutes } from '../../src/http/routes/automations.ts';
import { sequenceRoutes } from '../../src/http/routes/sequences.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { FAILED_STEP_RETRY_MS, sendDueSteps } from '../../src/modules/sequences/sequence-sender.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { drain, emulatedApp } from '../ingest/support.ts';
import { processPendingPosts } from '../../src/modules/ingest/process-posts.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const dialect of testDialects()) {
  describe(`follow-up sequences [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let shop = '';
    let other = '';
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    /** Moves the app's clock and the emulator's together. */
    const tick = (ms: number) => {
      app.clock.advance(ms);
      emu.emulator.clock.advance(ms);
    };
    const person = (first: string) => emu.emulator.createUser({ first_name: first, last_name: 'Test' }).id;
    const contactOf = async (user: string, page = shop) =>
      (await call('GET', `/api/v1/pages/${page}/contacts/by-psid/${emu.emulator.psid(user, page)}`)).json()
        .id as string;
    /** A person who wrote to the shop (their 24-hour window is open), and their contact id. */
    const writer = async (first: string, text = 'hello') => {
      const user = person(first);
      await emu.emulator.user(user).says(shop, text);
      await drain(app);
      while ((await enrichProfiles(app.ctx)) > 0);
      return { user, contact: await contactOf(user) };
    };
    const sequence = async (body: object, page = shop) => {
      const r = await call('POST', `/api/v1/pages/${page}/sequences`, body);
      assert.equal(r.statusCode, 201, r.body);
      return r.json().id as string;
    };
    const subscribe = (sequenceId: string, contactId: string) =>
      call('POST', `/api/v1/sequences/${sequenceId}/subscribers`, { contact_id: contactId });
    /** The texts the sequence queued for a contact, oldest first. */
    const sent = async (sequenceId: string, contactId: string) => {
      const rows = await app.ctx.db
        .selectFrom('deliveries')
        .selectAll()
        .where('contact_id', '=', contactId)
        .where('created_by', '=', sequenceId)
        .orderBy('id')
        .execute();
      return rows.map((d) => {
        assert.equal(d.author, 'campaign');
        const body = openContactField(app.ctx, d.contact_id, d.body_enc, {
          table: 'deliveries',
          column: 'body_enc',
          pageId: d.page_id,
          rowId: d.id,
        });
        return (JSON.parse(body) as { text?: string }).text ?? '';
      });
    };
    const subscriber = async (sequenceId: string, contactId: string) =>
      (
        (await call('GET', `/api/v1/sequences/${sequenceId}/subscribers`)).json().data as {
          contact_id: string;
          status: string;
          reason: string | null;
          next_step: number;
          round: number;
        }[]
      ).find((s) => s.contact_id === contactId);
    const run = async () => {
      while ((await sendDueSteps(app.ctx)).settled > 0);
    };
    const threeSteps = {
      name: 'Welcome',
      steps: [
        { message: { text: 'Hi {{contact.first_name|there}}, welcome!' } },
        { delay: { hours: 1 }, message: { text: 'Step two' } },
        { delay: { hours: 2 }, message: { text: 'Step three' } },
      ],
    };

    before(async () => {
      let pages: string[];
      ({ app, emu, pages } = await emulatedApp(dialect, {}, {}, [sequenceRoutes, automationRoutes]));
      [shop, other] = [pages[0]!, pages[1]!];
      installHooks(app.ctx);
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    test('a sequence is checked whole before it is stored: the 400 names the field, and the changes are audited', async () => {
      const bad = await call('POST', `/api/v1/pages/${shop}/sequences`, {
        name: 'bad',
        steps: [{ message: { text: 'ok' } }, { message: { text: 'Hi {{contact.frist_name}}' } }],
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().error.details.field, 'steps[1].message');
      const badWindow = await call('POST', `/api/v1/pages/${shop}/sequences`, {
        name: 'bad',
        steps: [{ message: { text: 'ok' }, send_window: { hours: ['18:00', '09:00'] } }],
      });
      assert.equal(badWindow.statusCode, 400, badWindow.body);
      assert.equal(badWindow.json().error.details.field, 'steps[0].send_window.hours');
      assert.equal((await call('GET', `/api/v1/pages/${shop}/sequences`)).json().data.length, 0);

      const id = await sequence({
        name: 'Draft',
        steps: [
          {
            delay: { hours: 24 },
            message: { text: 'Still there?' },
            send_window: { days: ['mon', 'tue'], hours: ['09:00', '17:00'] },
          },
        ],
      });
      const got = (await call('GET', `/api/v1/sequences/${id}`)).json();
      assert.deepEqual(
        [got.enabled, got.stop_on_reply, got.steps[0].send_window],
        [true, true, { days: ['mon', 'tue'], hours: ['09:00', '17:00'] }],
      );
      const patched = await call('PATCH', `/api/v1/sequences/${id}`, { name: 'Draft 2', stop_on_reply: false });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual([patched.json().name, patched.json().stop_on_reply], ['Draft 2', false]);
      // Another Page's sequence is not there for a token of this Page only; deleting it makes it gone.
      assert.equal((await call('DELETE', `/api/v1/sequences/${id}`)).statusCode, 204);
      assert.equal((await call('GET', `/api/v1/sequences/${id}`)).statusCode, 404);
      const audit = await app.ctx.db.selectFrom('audit_events').select('action').where('subject_id', '=', id).execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['sequence.create', 'sequence.delete', 'sequence.update']);
    });

    test('the steps go out in order, each after its delay, personalised, and reach the person; subscribing twice sends once', async () => {
      const id = await sequence(threeSteps);
      const ana = await writer('Ana');
      const first = await subscribe(id, ana.contact);
      assert.equal(first.statusCode, 201, first.body);
      const again = await subscribe(id, ana.contact);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().round, 1);

      await run();
      assert.deepEqual(await sent(id, ana.contact), ['Hi Ana, welcome!']);
      // Not yet: the second step waits an hour after the first.
      tick(59 * MINUTE);
      await run();
      assert.deepEqual(await sent(id, ana.contact), ['Hi Ana, welcome!']);
      tick(MINUTE);
      await run();
      assert.deepEqual(await sent(id, ana.contact), ['Hi Ana, welcome!', 'Step two']);
      // Subscribing again while in it changes nothing.
      assert.equal((await subscribe(id, ana.contact)).statusCode, 200);
      tick(2 * HOUR);
      await run();
      await run();
      assert.deepEqual(await sent(id, ana.contact), ['Hi Ana, welcome!', 'Step two', 'Step three']);
      assert.equal((await subscriber(id, ana.contact))?.status, 'finished');
      // Subscribing after finishing is an explicit start over: round 2 from the first step.
      const restarted = await subscribe(id, ana.contact);
      assert.equal(restarted.statusCode, 201, restarted.body);
      assert.equal(restarted.json().round, 2);
      await run();
      assert.equal((await sent(id, ana.contact)).length, 4);

      const dispatcher = startDispatcher(app.ctx, { workerId: 'test' });
      try {
        await until('the steps in Ana’s inbox', async () =>
          emu.emulator.inbox(ana.user, shop).length === 4 ? true : undefined,
        );
      } finally {
        await dispatcher.stop();
      }
      assert.deepEqual(
        emu.emulator.inbox(ana.user, shop).map((m) => m.text),
        ['Hi Ana, welcome!', 'Step two', 'Step three', 'Hi Ana, welcome!'],
      );
      const list = (await call('GET', `/api/v1/sequences/${id}/subscribers?status=active`)).json();
      assert.deepEqual(
        list.data.map((s: { contact_id: string }) => s.contact_id),
        [ana.contact],
      );
      assert.equal(list.figures.steps[0].queued, 2);
      assert.equal(list.figures.steps[1].queued, 1);
      assert.equal(list.figures.steps[1].waiting, 1);
      assert.ok(list.figures.steps[0].sent >= 1);
    });

    test('two senders at once send a due step once', async () => {
      const id = await sequence({ name: 'Once', steps: [{ message: { text: 'Only once' } }] });
      const people = [await writer('Ola'), await writer('Ote'), await writer('Oxa')];
      for (const p of people) assert.equal((await subscribe(id, p.contact)).statusCode, 201);
      await Promise.all([sendDueSteps(app.ctx, 2), sendDueSteps(app.ctx, 2), sendDueSteps(app.ctx, 2)]);
      await run();
      for (const p of people) assert.deepEqual(await sent(id, p.contact), ['Only once']);
      const runs = await app.ctx.db
        .selectFrom('sequence_step_runs')
        .selectAll()
        .where('sequence_id', '=', id)
        .execute();
      assert.equal(runs.length, 3);
    });

    test('a step that fails after queueing its delivery leaves nothing behind, holds back nobody else, and goes once later', async () => {
      const id = await sequence({ name: 'Crash', steps: [{ message: { text: 'Exactly once' } }] });
      const hal = await writer('Hal');
      const ivy = await writer('Ivy');
      const sub = (await subscribe(id, hal.contact)).json();
      assert.equal(sub.round, 1);
      assert.equal((await subscribe(id, ivy.contact)).statusCode, 201);
      const row = await app.ctx.db
        .selectFrom('sequence_subscriptions')
        .selectAll()
        .where('sequence_id', '=', id)
        .where('contact_id', '=', hal.contact)
        .executeTakeFirstOrThrow();
      // A record of Hal's very step already there makes his step fail after its delivery was written, before the
      // subscription moved on: as a crash at that point would, all of it is undone.
      const blocker = {
        id: 'sr_blocker',
        subscription_id: row.id,
        sequence_id: id,
        page_id: shop,
        contact_id: hal.contact,
        round: 1,
        step: 0,
        status: 'skipped' as const,
        reason: 'test',
        delivery_id: null,
        at: 0,
      };
      await app.ctx.db.insertInto('sequence_step_runs').values(blocker).execute();
      await sendDueSteps(app.ctx);
      assert.deepEqual(await sent(id, hal.contact), []);
      assert.equal((await subscriber(id, hal.contact))?.next_step, 0);
      // Ivy's step, in the same turn, went.
      assert.deepEqual(await sent(id, ivy.contact), ['Exactly once']);
      // Hal's is put off, not retried at every turn.
      await app.ctx.db.deleteFrom('sequence_step_runs').where('id', '=', 'sr_blocker').execute();
      await run();
      assert.deepEqual(await sent(id, hal.contact), []);
      tick(FAILED_STEP_RETRY_MS);
      await run();
      await run();
      assert.deepEqual(await sent(id, hal.contact), ['Exactly once']);
      assert.equal((await subscriber(id, hal.contact))?.status, 'finished');
    });

    test('a reply ends the sequence (reason replied), unless the sequence says otherwise', async () => {
      const stops = await sequence(threeSteps);
      const keepsOn = await sequence({ ...threeSteps, name: 'Keeps on', stop_on_reply: false });
      const bea = await writer('Bea');
      await subscribe(stops, bea.contact);
      await subscribe(keepsOn, bea.contact);
      await run();
      await emu.emulator.user(bea.user).says(shop, 'thanks!');
      await drain(app);
      assert.deepEqual(
        [(await subscriber(stops, bea.contact))?.status, (await subscriber(stops, bea.contact))?.reason],
        ['left', 'replied'],
      );
      assert.equal((await subscriber(keepsOn, bea.contact))?.status, 'active');
      tick(HOUR);
      await run();
      assert.deepEqual(await sent(stops, bea.contact), ['Hi Bea, welcome!']);
      assert.deepEqual(await sent(keepsOn, bea.contact), ['Hi Bea, welcome!', 'Step two']);
    });

    test('an opt-out ends every sequence of the person (reason opted_out), and an opted-out person cannot be subscribed', async () => {
      const id = await sequence(threeSteps);
      const cleo = await writer('Cleo');
      await subscribe(id, cleo.contact);
      await run();
      await emu.emulator.user(cleo.user).says(shop, 'STOP');
      await drain(app);
      const s = await subscriber(id, cleo.contact);
      assert.deepEqual([s?.status, s?.reason], ['left', 'opted_out']);
      tick(HOUR);
      await run();
      assert.deepEqual(await sent(id, cleo.contact), ['Hi Cleo, welcome!']);
      const refused = await subscribe(id, cleo.contact);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.details.reason, 'opted_out');
    });

    test('a step due after the 24-hour window closed is skipped with the reason, and the person leaves', async () => {
      const id = await sequence({
        name: 'Late',
        steps: [{ message: { text: 'Now' } }, { delay: { hours: 30 }, message: { text: 'Too late' } }],
      });
      const dan = await writer('Dan');
      await subscribe(id, dan.contact);
      await run();
      tick(30 * HOUR);
      await run();
      assert.deepEqual(await sent(id, dan.contact), ['Now']);
      const s = await subscriber(id, dan.contact);
      assert.deepEqual([s?.status, s?.reason], ['left', 'outside_window']);
      const figures = (await call('GET', `/api/v1/sequences/${id}/subscribers`)).json().figures;
      assert.deepEqual(figures.steps[1].skipped, { outside_window: 1 });
      assert.deepEqual(figures.left, { outside_window: 1 });
      // An operator takes someone out: reason unsubscribed; a contact of another Page is not there.
      const eve = await writer('Eve');
      await subscribe(id, eve.contact);
      const out = await call('DELETE', `/api/v1/sequences/${id}/subscribers/${eve.contact}`);
      assert.equal(out.statusCode, 200, out.body);
      assert.deepEqual([out.json().status, out.json().reason], ['left', 'unsubscribed']);
      const stranger = person('Stranger');
      await emu.emulator.user(stranger).says(other, 'hi');
      await drain(app);
      assert.equal((await subscribe(id, await contactOf(stranger, other))).statusCode, 404);
    });

    test('a rule with start_sequence subscribes the person who wrote the keyword, once', async () => {
      const id = await sequence(threeSteps);
      const elsewhere = await sequence(threeSteps, other);
      const wrongPage = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'follow',
        trigger: { type: 'keyword', match: 'contains', keywords: ['follow'] },
        actions: [{ type: 'start_sequence', sequence_id: elsewhere }],
      });
      assert.equal(wrongPage.statusCode, 400, wrongPage.body);
      assert.equal(wrongPage.json().error.details.field, 'actions[0].sequence_id');
      const rule = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'follow',
        trigger: { type: 'keyword', match: 'contains', keywords: ['follow'] },
        actions: [{ type: 'start_sequence', sequence_id: id }],
      });
      assert.equal(rule.statusCode, 201, rule.body);

      const fay = await writer('Fay', 'I want to FOLLOW you');
      const quiet = await writer('Gil', 'just looking');
      assert.equal((await subscriber(id, fay.contact))?.status, 'active');
      assert.equal(await subscriber(id, quiet.contact), undefined);
      await run();
      assert.deepEqual(await sent(id, fay.contact), ['Hi Fay, welcome!']);
      // The keyword again: her message ends the subscription (a reply), and the rule does not start it over.
      await emu.emulator.user(fay.user).says(shop, 'follow');
      await drain(app);
      const s = await subscriber(id, fay.contact);
      assert.deepEqual([s?.status, s?.reason, s?.round], ['left', 'replied', 1]);
    });

    test('a person whom a rule subscribes leaves on their next message, even when both are applied in one transaction', async () => {
      const id = await sequence(threeSteps);
      const rule = await call('POST', `/api/v1/pages/${shop}/automations`, {
        name: 'join',
        trigger: { type: 'keyword', match: 'contains', keywords: ['join'] },
        actions: [{ type: 'start_sequence', sequence_id: id }],
      });
      assert.equal(rule.statusCode, 201, rule.body);
      const hal = person('Hal');
      await emu.emulator.user(hal).says(shop, 'let me JOIN');
      tick(1000);
      await emu.emulator.user(hal).says(shop, 'actually, no thanks');
      await app.ctx.intake.settled();
      // One claim and one turn for both messages: the rule subscribes on the first, the second is the reply.
      while ((await processPendingPosts(app.ctx, { limit: 50, turnMs: 60_000 })) > 0);
      const s = await subscriber(id, await contactOf(hal));
      assert.deepEqual([s?.status, s?.reason], ['left', 'replied']);
    });
  });
}
