// The FAQ assistant end to end through the emulator: a person's question arrives as a signed webhook, the assistant
// decides inside the processing transaction, and its answer is an outbox row the dispatcher sends to Meta. People's
// conversations stay theirs; a request for a person hands over; unanswered questions are collected; a language model
// (a local stub that plays one) only ever picks an entry, and its failures fall back to the offline assistant. The
// model is asked by a job outside the processing transaction: a slow model delays no other message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testDialects } from '../support/db.ts';
import { bearer, type TestApp } from '../support/app.ts';
import { until } from '../support/until.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { installHooks } from '../../src/app/modules.ts';
import { assistantRoutes } from '../../src/http/routes/assistant.ts';
import { orderRoutes } from '../../src/http/routes/orders.ts';
import { conversationRoutes } from '../../src/http/routes/conversations.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';
import { DEMO_FAQ } from '../../src/sandbox/demo-faq.ts';
import { MAX_MODEL_ATTEMPTS, runModelJobs, startModelJobs } from '../../src/modules/assistant/model-jobs.ts';
import { drain, emulatedApp, postWebhook } from '../ingest/support.ts';
import { orderBody } from '../orders/support.ts';

/**
 * A stub chat-completions server: answers what `reply` says (garbage unless a test says otherwise); a reply that is a
 * promise keeps the caller waiting until it settles (a slow model).
 */
async function stubModel(): Promise<{
  url: string;
  reply: (body: unknown) => unknown;
  calls: number;
  waiting: number;
  close(): Promise<void>;
}> {
  const state = { reply: (_b: unknown): unknown => 'garbage, not JSON', calls: 0, waiting: 0 };
  const server: Server = createServer((req, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      state.calls++;
      state.waiting++;
      void Promise.resolve(state.reply(JSON.parse(raw))).then((out) => {
        state.waiting--;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(typeof out === 'string' ? out : JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get reply() {
      return state.reply;
    },
    set reply(f) {
      state.reply = f;
    },
    get calls() {
      return state.calls;
    },
    get waiting() {
      return state.waiting;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

for (const dialect of testDialects()) {
  describe(`the FAQ assistant answers people through the outbox [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let model!: Awaited<ReturnType<typeof stubModel>>;
    let shop = '';
    let pages: string[] = [];
    const ids: Record<string, string> = {};
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      app.server.inject({ method, url, headers: bearer(app.ownerToken), ...(payload && { payload }) });
    const contactOf = async (user: string) =>
      (await call('GET', `/api/v1/pages/${shop}/contacts/by-psid/${emu.emulator.psid(user, shop)}`)).json()
        .id as string;
    const sends = async (contactId: string) => {
      const rows = await app.ctx.db
        .selectFrom('deliveries')
        .selectAll()
        .where('contact_id', '=', contactId)
        .orderBy('id')
        .execute();
      return rows.map((d) => ({
        author: d.author,
        status: d.status,
        text: JSON.parse(
          openContactField(app.ctx, d.contact_id, d.body_enc, {
            table: 'deliveries',
            column: 'body_enc',
            pageId: d.page_id,
            rowId: d.id,
          }),
        ).text as string,
      }));
    };
    const owner = async (contactId: string) =>
      (
        await app.ctx.db
          .selectFrom('conversations')
          .select('handled_by')
          .where('contact_id', '=', contactId)
          .executeTakeFirstOrThrow()
      ).handled_by;
    const jobs = () => app.ctx.db.selectFrom('assistant_model_jobs').selectAll().orderBy('id').execute();
    /** The person writes; the webhook is processed, then the questions waiting for the model are answered. */
    const ask = async (user: string, text: string) => {
      await emu.emulator.user(user).says(shop, text);
      await drain(app);
      while ((await runModelJobs(app.ctx, 'test-worker')) > 0);
      return contactOf(user);
    };

    before(async () => {
      model = await stubModel();
      ({ app, emu, pages } = await emulatedApp(
        dialect,
        {},
        {
          PAGESCOPE_ASSISTANT_LLM_URL: model.url,
          PAGESCOPE_ASSISTANT_LLM_MODEL: 'stub-1',
          PAGESCOPE_ASSISTANT_LLM_TIMEOUT_MS: '10000',
        },
        [assistantRoutes, orderRoutes, conversationRoutes],
      ));
      shop = pages[0]!;
      installHooks(app.ctx);
    });
    after(async () => {
      await app.close();
      await emu.close();
      await model.close();
    });

    test('an assistant with nothing approved cannot be turned on, and a draft answers nothing', async () => {
      for (const e of DEMO_FAQ) {
        const res = await call('POST', `/api/v1/pages/${shop}/faq`, {
          question: e.question,
          phrases: e.phrases,
          answer: e.answer,
          personal: e.personal ?? null,
        });
        assert.equal(res.statusCode, 201, res.body);
        ids[e.key] = res.json().id;
      }
      const refused = await call('PATCH', `/api/v1/pages/${shop}/assistant`, { enabled: true });
      assert.equal(refused.statusCode, 409);
      const tried = await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'how much is shipping?' });
      assert.deepEqual([tried.json().action, tried.json().reason], ['none', 'no_entries']);
    });

    test('approved entries answer in the try box with the entry, its reply and the confidence', async () => {
      for (const id of Object.values(ids))
        assert.equal((await call('PATCH', `/api/v1/faq/${id}`, { status: 'approved' })).statusCode, 200);
      const settings = await call('PATCH', `/api/v1/pages/${shop}/assistant`, {
        enabled: true,
        opening_hours: 'Mon–Sat 9:00–19:00',
        delivery_days: 3,
      });
      assert.equal(settings.statusCode, 200, settings.body);
      assert.deepEqual([settings.json().enabled, settings.json().approved_entries], [true, DEMO_FAQ.length]);
      const tried = (
        await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'Combien coûtent les frais de livraison ?' })
      ).json();
      assert.equal(tried.action, 'answer');
      assert.equal(tried.faq_id, ids.shipping);
      assert.deepEqual(tried.reply, DEMO_FAQ.find((e) => e.key === 'shipping')!.answer);
      assert.ok(tried.confidence >= 0.4 && tried.margin >= 0.1, JSON.stringify(tried));
      assert.equal(tried.source, 'offline');
    });

    test("a person's question gets the approved answer, queued once even when Meta delivers it twice, and sent", async () => {
      const ana = emu.emulator.createUser({ first_name: 'Ana', last_name: 'Silva' }).id;
      const contact = await ask(ana, 'Do you accept Apple Pay or PayPal?');
      const payment = DEMO_FAQ.find((e) => e.key === 'payment')!.answer.text;
      assert.deepEqual(await sends(contact), [{ author: 'automation', status: 'queued', text: payment }]);
      assert.equal(await owner(contact), 'bot');
      for (const d of emu.emulator.deliveries().filter((r) => r.kind === 'first'))
        await postWebhook(app, d.body, {
          'content-type': 'application/json',
          'x-hub-signature-256': d.headers['x-hub-signature-256']!,
        });
      await drain(app);
      assert.equal((await sends(contact)).length, 1);
      const worker = startDispatcher(app.ctx, {});
      try {
        await until('the answer reaches the person', async () =>
          emu.emulator.inbox(ana, shop).some((m) => m.text === payment) ? true : undefined,
        );
      } finally {
        await worker.stop();
      }
    });

    test('a conversation people handle gets no answer from the assistant', async () => {
      const bea = emu.emulator.createUser({ first_name: 'Bea', last_name: 'Costa' }).id;
      const contact = await ask(bea, 'hello there');
      const conversation = (
        await app.ctx.db
          .selectFrom('conversations')
          .select('id')
          .where('contact_id', '=', contact)
          .executeTakeFirstOrThrow()
      ).id;
      assert.equal(
        (await call('PATCH', `/api/v1/conversations/${conversation}`, { handled_by: 'human' })).statusCode,
        200,
      );
      await ask(bea, 'Do you accept Apple Pay or PayPal?');
      assert.deepEqual(await sends(contact), []);
    });

    test('asking for a person hands the conversation over, with one message saying so', async () => {
      const cy = emu.emulator.createUser({ first_name: 'Cy', last_name: 'Moreau', locale: 'fr_FR' }).id;
      const contact = await ask(cy, 'Je voudrais parler à un conseiller');
      assert.equal(await owner(contact), 'human');
      const queued = await sends(contact);
      assert.equal(queued.length, 1);
      assert.match(queued[0]!.text, /Merci/);
      await ask(cy, 'Do you accept Apple Pay or PayPal?');
      assert.equal((await sends(contact)).length, 1);
    });

    test("order status is answered from the asker's own orders only; another's number reads as unknown", async () => {
      const dee = emu.emulator.createUser({ first_name: 'Dee', last_name: 'Nunes' }).id;
      const eve = emu.emulator.createUser({ first_name: 'Eve', last_name: 'Roux' }).id;
      const deeContact = await ask(dee, 'hi');
      const eveContact = await ask(eve, 'hi');
      for (const [n, c] of [
        ['W-1042', deeContact],
        ['W-2077', eveContact],
      ] as const) {
        const res = await call('POST', `/api/v1/pages/${shop}/orders`, {
          ...orderBody(n, { status: 'shipped' }),
          contact_id: c,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      await ask(dee, 'Où en est ma commande W-1042 ?');
      assert.match((await sends(deeContact)).at(-1)!.text, /W-1042 is shipped/);
      await ask(dee, 'where is my order W-2077?');
      const unknown = (await sends(deeContact)).at(-1)!.text;
      assert.match(unknown, /could not find order W-2077/);
      await ask(dee, 'where is my order W-9999?');
      assert.equal((await sends(deeContact)).at(-1)!.text, unknown.replace('W-2077', 'W-9999'));
      await ask(dee, 'When will my order arrive?');
      assert.match((await sends(deeContact)).at(-1)!.text, /W-1042 \(shipped\) should arrive by/);
    });

    test('unanswered questions are collected with a count, sealed, and turned into an entry', async () => {
      const fay = emu.emulator.createUser({ first_name: 'Fay', last_name: 'Lima' }).id;
      const gus = emu.emulator.createUser({ first_name: 'Gus', last_name: 'Pires' }).id;
      await ask(fay, 'Do you sell gift cards?');
      await ask(gus, 'do you sell GIFT cards');
      const stored = await app.ctx.db.selectFrom('assistant_unanswered').select('text_enc').execute();
      assert.ok(stored.every((r) => !r.text_enc.includes('gift')));
      const list = (await call('GET', `/api/v1/pages/${shop}/assistant/unanswered`)).json().data as {
        id: string;
        text: string;
        count: number;
      }[];
      const gift = list.find((q) => /gift/i.test(q.text))!;
      assert.equal(gift.count, 2);
      const made = await call('POST', `/api/v1/assistant/unanswered/${gift.id}/faq`, {
        answer: { text: 'Yes: gift cards from 10 to 200 EUR, in the shop and online.' },
        phrases: ['gift cards', 'gift voucher'],
        status: 'approved',
      });
      assert.equal(made.statusCode, 201, made.body);
      const tried = (
        await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'Do you sell gift cards?' })
      ).json();
      assert.deepEqual([tried.action, tried.faq_id], ['answer', made.json().id]);
      const after = (await call('GET', `/api/v1/pages/${shop}/assistant/unanswered`)).json().data as { id: string }[];
      assert.ok(!after.some((q) => q.id === gift.id));
    });

    test('an unanswered question becomes a phrasing of an entry; a dismissed one stays out of the list', async () => {
      const jon = emu.emulator.createUser({ first_name: 'Jon', last_name: 'Alves' }).id;
      const kim = emu.emulator.createUser({ first_name: 'Kim', last_name: 'Neves' }).id;
      await ask(jon, 'Do you repair bicycles?');
      await ask(kim, 'Is the parking free for customers?');
      const open = async () =>
        (await call('GET', `/api/v1/pages/${shop}/assistant/unanswered`)).json().data as { id: string; text: string }[];
      const bikes = (await open()).find((q) => /bicycles/.test(q.text))!;
      const parking = (await open()).find((q) => /parking/.test(q.text))!;

      const added = await call('POST', `/api/v1/assistant/unanswered/${bikes.id}/phrase`, { faq_id: ids.returns });
      assert.equal(added.statusCode, 200, added.body);
      assert.ok((added.json().phrases as string[]).includes('Do you repair bicycles?'));
      const tried = (
        await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'Do you repair bicycles?' })
      ).json();
      assert.equal(tried.faq_id, ids.returns);
      const again = await call('POST', `/api/v1/assistant/unanswered/${bikes.id}/phrase`, { faq_id: ids.returns });
      assert.equal(again.statusCode, 409);

      assert.equal((await call('POST', `/api/v1/assistant/unanswered/${parking.id}/dismiss`)).statusCode, 204);
      assert.equal((await call('POST', `/api/v1/assistant/unanswered/${parking.id}/dismiss`)).statusCode, 204);
      await ask(jon, 'is the parking free for customers');
      assert.ok(!(await open()).some((q) => q.id === bikes.id || q.id === parking.id));
      const actions = await app.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', 'in', [bikes.id, parking.id])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        actions.map((a) => a.action),
        ['assistant.unanswered.convert', 'assistant.unanswered.dismiss'],
      );
    });

    test('the language model only picks an entry: pagescope sends that entry, and garbage falls back to silence', async () => {
      const hal = emu.emulator.createUser({ first_name: 'Hal', last_name: 'Reis' }).id;
      const before = model.calls;
      model.reply = () => ({
        choices: [
          {
            message: {
              content: 'Sure, everything is free!',
              tool_calls: [{ function: { name: 'faq_lookup', arguments: JSON.stringify({ faq_id: ids.returns }) } }],
            },
          },
        ],
      });
      await emu.emulator.user(hal).says(shop, 'My jacket has a hole in the sleeve');
      await drain(app);
      const contact = await contactOf(hal);
      // The processing only queued the question: the model has not been asked yet and nothing was sent.
      assert.equal(model.calls, before);
      assert.deepEqual(await sends(contact), []);
      const [job] = await jobs();
      assert.ok(job && !job.text_enc.includes('sleeve'), 'the waiting question is sealed');
      assert.equal(await runModelJobs(app.ctx, 'test-worker'), 1);
      assert.equal(model.calls, before + 1);
      const returns = DEMO_FAQ.find((e) => e.key === 'returns')!.answer.text;
      assert.deepEqual(
        (await sends(contact)).map((s) => s.text),
        [returns],
      );
      assert.deepEqual(await jobs(), [], 'a job runs once');
      assert.equal(await runModelJobs(app.ctx, 'test-worker'), 0);
      assert.equal(model.calls, before + 1);
      const tried = (
        await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'My jacket has a hole in the sleeve' })
      ).json();
      assert.deepEqual([tried.action, tried.source, tried.faq_id], ['answer', 'model', ids.returns]);
      model.reply = () => ({ choices: [{ message: { content: 'Sure, everything is free!' } }] });
      await ask(hal, 'Tell me a joke');
      assert.equal((await sends(contact)).length, 1);
      model.reply = () => 'not json';
      const garbage = (await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'Tell me a joke' })).json();
      assert.deepEqual([garbage.action, garbage.source], ['none', 'offline']);
    });

    test('a slow model holds up no other message: the next one is processed and answered, the slow answer follows', async () => {
      const jo = emu.emulator.createUser({ first_name: 'Jo', last_name: 'Abreu' }).id;
      const kim = emu.emulator.createUser({ first_name: 'Kim', last_name: 'Vaz' }).id;
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      model.reply = async () => {
        await released;
        return {
          choices: [
            { message: { tool_calls: [{ function: { name: 'faq_lookup', arguments: `{"faq_id":"${ids.sizes}"}` } }] } },
          ],
        };
      };
      await emu.emulator.user(jo).says(shop, 'These trousers look a bit tight on the model, hmm');
      await drain(app);
      const running = runModelJobs(app.ctx, 'test-worker');
      await until('the model is thinking', async () => (model.waiting === 1 ? true : undefined));
      // While the model thinks, another person's message is processed and answered offline.
      const kimContact = await ask(kim, 'Can I pay with PayPal?');
      const payment = DEMO_FAQ.find((e) => e.key === 'payment')!.answer.text;
      assert.deepEqual(
        (await sends(kimContact)).map((s) => s.text),
        [payment],
      );
      const joContact = await contactOf(jo);
      assert.deepEqual(await sends(joContact), []);
      assert.equal(model.waiting, 1);
      release();
      assert.equal(await running, 1);
      const sizes = DEMO_FAQ.find((e) => e.key === 'sizes')!.answer.text;
      assert.deepEqual(
        (await sends(joContact)).map((s) => s.text),
        [sizes],
      );
    });

    test('a job whose worker died is taken again and answers once; after a few attempts it is decided offline', async () => {
      const lu = emu.emulator.createUser({ first_name: 'Lu', last_name: 'Dias' }).id;
      const mo = emu.emulator.createUser({ first_name: 'Mo', last_name: 'Reis' }).id;
      model.reply = () => ({
        choices: [
          { message: { tool_calls: [{ function: { name: 'faq_lookup', arguments: `{"faq_id":"${ids.address}"}` } }] } },
        ],
      });
      const now = app.ctx.clock.now();
      await emu.emulator.user(lu).says(shop, 'I would love to drop by and try things on');
      await emu.emulator.user(mo).says(shop, 'I would love to drop by with my sister');
      await drain(app);
      const [luJob, moJob] = await jobs();
      // Lu's worker died mid-call (its lease ran out); Mo's job was tried as often as it may be.
      await app.ctx.db
        .updateTable('assistant_model_jobs')
        .set({ lease_owner: 'dead-worker', lease_until: now - 1, attempts: 1 })
        .where('id', '=', luJob!.id)
        .execute();
      await app.ctx.db
        .updateTable('assistant_model_jobs')
        .set({ lease_owner: 'dead-worker', lease_until: now - 1, attempts: MAX_MODEL_ATTEMPTS })
        .where('id', '=', moJob!.id)
        .execute();
      const before = model.calls;
      assert.equal(await runModelJobs(app.ctx, 'test-worker'), 2);
      assert.equal(model.calls, before + 1, 'only the job with attempts left asks the model');
      const address = DEMO_FAQ.find((e) => e.key === 'address')!.answer.text;
      assert.deepEqual(
        (await sends(await contactOf(lu))).map((s) => s.text),
        [address],
      );
      assert.deepEqual(await sends(await contactOf(mo)), []);
      assert.deepEqual(await jobs(), []);
    });

    test('a conversation people took over while the model thought gets no answer from it', async () => {
      const ned = emu.emulator.createUser({ first_name: 'Ned', last_name: 'Luz' }).id;
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      model.reply = async () => {
        await released;
        return {
          choices: [
            {
              message: { tool_calls: [{ function: { name: 'faq_lookup', arguments: `{"faq_id":"${ids.returns}"}` } }] },
            },
          ],
        };
      };
      await emu.emulator.user(ned).says(shop, 'The zipper broke after one day');
      await drain(app);
      const contact = await contactOf(ned);
      const running = runModelJobs(app.ctx, 'test-worker');
      await until('the model is thinking', async () => (model.waiting === 1 ? true : undefined));
      await app.ctx.db
        .updateTable('conversations')
        .set({ handled_by: 'human' })
        .where('contact_id', '=', contact)
        .execute();
      release();
      assert.equal(await running, 1);
      assert.deepEqual(await sends(contact), []);
      assert.deepEqual(await jobs(), []);
    });

    test("the model worker answers in the background, after the message's processing committed", async () => {
      const ola = emu.emulator.createUser({ first_name: 'Ola', last_name: 'Brito' }).id;
      model.reply = () => ({
        choices: [
          { message: { tool_calls: [{ function: { name: 'faq_lookup', arguments: `{"faq_id":"${ids.payment}"}` } }] } },
        ],
      });
      await emu.emulator.user(ola).says(shop, 'Is it fine to settle the bill with my phone wallet?');
      await drain(app);
      const contact = await contactOf(ola);
      assert.deepEqual(await sends(contact), []);
      const worker = startModelJobs(app.ctx, { workerId: 'background-worker', idleMs: 20 });
      try {
        const payment = DEMO_FAQ.find((e) => e.key === 'payment')!.answer.text;
        await until('the answer queued', async () =>
          (await sends(contact)).some((s) => s.text === payment) ? true : undefined,
        );
      } finally {
        await worker.stop();
      }
      assert.deepEqual(await jobs(), []);
    });

    test('a button no rule took is read by its title: an FAQ question is answered, anything else is left alone', async () => {
      const pia = emu.emulator.createUser({ first_name: 'Pia', last_name: 'Melo' }).id;
      const calls = model.calls;
      const returns = DEMO_FAQ.find((e) => e.key === 'returns')!;
      await emu.emulator.user(pia).postback(shop, 'FAQ_RETURNS', returns.question);
      await drain(app);
      const contact = await contactOf(pia);
      assert.deepEqual(
        (await sends(contact)).map((s) => s.text),
        [returns.answer.text],
      );
      await emu.emulator.user(pia).postback(shop, 'MENU_SOMETHING', 'Our new collection');
      await drain(app);
      assert.equal((await sends(contact)).length, 1);
      assert.deepEqual(await jobs(), [], 'a button never waits for the model');
      assert.equal(model.calls, calls);
    });

    test("STOP and START are the consent keywords' to answer: the assistant neither answers, asks the model nor collects them", async () => {
      const kim = emu.emulator.createUser({ first_name: 'Kim', last_name: 'Lee' }).id;
      const calls = model.calls;
      const contact = await ask(kim, 'STOP');
      emu.emulator.clock.advance(1000);
      await ask(kim, 'start');
      const texts = (await sends(contact)).map((s) => s.text);
      assert.equal(texts.length, 2, `only the two confirmations: ${JSON.stringify(texts)}`);
      assert.deepEqual(await jobs(), [], 'no keyword waits for the model');
      assert.equal(model.calls, calls);
      const collected = (await call('GET', `/api/v1/pages/${shop}/assistant/unanswered?limit=100`)).json() as {
        data: { text: string }[];
      };
      assert.deepEqual(
        collected.data.map((q) => q.text).filter((t) => /^(stop|start)$/i.test(t)),
        [],
        'a keyword is not a question the FAQ missed',
      );
    });

    test('with every entry withdrawn the assistant is off: no answer, no handover, nothing collected', async () => {
      const ivy = emu.emulator.createUser({ first_name: 'Ivy', last_name: 'Sousa' }).id;
      const other = pages[1]!;
      const entry = await call('POST', `/api/v1/pages/${other}/faq`, {
        question: 'When are you open?',
        answer: { text: '9 to 5' },
        status: 'approved',
      });
      assert.equal((await call('PATCH', `/api/v1/pages/${other}/assistant`, { enabled: true })).statusCode, 200);
      assert.equal((await call('PATCH', `/api/v1/faq/${entry.json().id}`, { status: 'draft' })).statusCode, 200);
      for (const text of ['When are you open?', 'Can I talk to a human?', 'Do you sell gift cards?'])
        await emu.emulator.user(ivy).says(other, text);
      await drain(app);
      const contact = (
        await call('GET', `/api/v1/pages/${other}/contacts/by-psid/${emu.emulator.psid(ivy, other)}`)
      ).json().id as string;
      assert.deepEqual(await sends(contact), []);
      const unanswered = await app.ctx.db
        .selectFrom('assistant_unanswered')
        .select('id')
        .where('page_id', '=', other)
        .execute();
      assert.deepEqual(unanswered, []);
    });

    test("nothing a person wrote reaches the logs; a model's failure is logged by kind only", async () => {
      const logs = app.logs.lines.join('\n');
      for (const words of ['gift cards', 'hole in the sleeve', 'Tell me a joke', 'W-1042', 'conseiller', 'Apple Pay'])
        assert.equal(logs.includes(words), false, words);
      assert.match(logs, /"failure":"garbage".*assistant model failed/);
    });

    test("another Page's contact is not found by the try box", async () => {
      const res = await call('POST', `/api/v1/pages/${shop}/assistant/try`, { text: 'hi', contact_id: 'ct_missing' });
      assert.equal(res.statusCode, 404);
    });
  });
}
