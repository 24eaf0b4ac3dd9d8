// Utility templates end to end: created over the REST API, submitted to the emulator (as Meta) over real HTTP,
// approved or rejected by its review, and a utility send carried by the outbox and the dispatcher as UTILITY.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { approvedTemplate, utilityMessage } from '../../src/modules/templates/templates.ts';
import { syncDueTemplates } from '../../src/modules/templates/template-sync.ts';
import { enqueueSend } from '../../src/modules/messaging/enqueue-send.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { insertContact, eventually } from '../messaging/support.ts';
import { tokenFor } from '../ingest/support.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY = 24 * 3600_000;
const orderUpdate = (language = 'en_US', name = 'order_update') => ({
  name,
  language,
  components: [
    { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Ana', '1042']] } },
    { type: 'BUTTONS', buttons: [{ type: 'POSTBACK', text: 'Track it', payload: 'TRACK' }] },
  ],
});

for (const dialect of testDialects()) {
  describe(`utility templates through the emulator [${dialect}]`, () => {
    let app: TestApp;
    let meta: EmulatorServer;
    let pageId = '';
    let marketer = '';
    let agent = '';
    const call = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await app.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload && { payload }),
      });
      return { status: res.statusCode, body: (res.body === '' ? null : res.json()) as Body };
    };
    const create = (payload: object, token = marketer) =>
      call(token, 'POST', `/api/v1/pages/${pageId}/message-templates`, payload);
    const list = async () =>
      (await call(agent, 'GET', `/api/v1/pages/${pageId}/message-templates`)).body.data as Body[];
    /** Meta's review time passes on both clocks, then one pass of the background loop. */
    const reviewPasses = async () => {
      meta.emulator.advance(meta.emulator.options.policy.templateReviewMs);
      app.clock.advance(60_000);
      await syncDueTemplates(app.ctx);
    };

    before(async () => {
      meta = await startEmulatorServer({
        seed: `templates-${dialect}`,
        appSecret: 'test-app-secret',
        clockMode: 'frozen',
        clockStart: Date.now(),
      });
      app = await createTestApp(dialect, { routes: routeModules(), env: { META_GRAPH_URL: meta.url } });
      const page = meta.emulator.createPage({ name: 'Shop' });
      pageId = page.id;
      await registerPage(app.ctx, cliActor, { id: page.id, name: 'Shop', access_token: page.access_token });
      marketer = await tokenFor(app, 'marketer', [pageId]);
      agent = await tokenFor(app, 'agent', [pageId]);
    });
    after(async () => {
      await app.close();
      await meta.close();
    });

    it('a created template is submitted to Meta at once, PENDING, and APPROVED once Meta reviewed it', async () => {
      const made = await create(orderUpdate());
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.status, 'pending');
      assert.match(made.body.meta_id, /^\d+$/);
      const atMeta = meta.emulator.world.pages.get(pageId)!.templates.get(made.body.meta_id);
      assert.equal(atMeta?.name, 'order_update');
      await reviewPasses();
      const [shown] = await list();
      assert.equal(shown!.status, 'approved');
      assert.equal(shown!.rejection_reason, null);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', '=', made.body.id)
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['message_template.create'],
      );
    });

    it('a template Meta rejects shows Meta’s reason', async () => {
      await fetch(`${meta.url}/_emulator/pages/${pageId}/template-rejections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'store_hours', reason: 'INCORRECT_CATEGORY' }),
      });
      const made = await create({
        name: 'store_hours',
        language: 'en_US',
        components: [{ type: 'BODY', text: 'We open at 9 on weekdays.' }],
      });
      assert.equal(made.body.status, 'pending');
      await reviewPasses();
      const shown = (await list()).find((t) => t.name === 'store_hours')!;
      assert.equal(shown.status, 'rejected');
      assert.equal(shown.rejection_reason, 'INCORRECT_CATEGORY');
    });

    it('refuses promotional text, a quick reply and another category before Meta sees them, naming the field', async () => {
      const callsBefore = meta.emulator.calls().length;
      const promo = await create({
        ...orderUpdate(),
        name: 'promo',
        components: [{ type: 'BODY', text: 'Big sale today!' }],
      });
      assert.equal(promo.status, 400);
      assert.equal(promo.body.error.details.field, 'components[0].text');
      const quick = await create({
        ...orderUpdate(),
        name: 'quick',
        components: [
          { type: 'BODY', text: 'Did it arrive?' },
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes', payload: 'Y' }] },
        ],
      });
      assert.equal(quick.status, 400);
      assert.match(quick.body.error.message, /2018416/);
      assert.equal((await create({ ...orderUpdate(), name: 'marketing', category: 'MARKETING' })).status, 400);
      assert.equal((await create(orderUpdate())).status, 409);
      assert.equal((await create(orderUpdate(), agent)).status, 403);
      assert.equal(meta.emulator.calls().length, callsBefore);
    });

    it('gives campaigns the approved template in the first language a recipient can read', async () => {
      await create(orderUpdate('pt_BR'));
      assert.equal(
        (await approvedTemplate(app.ctx.db, pageId, 'order_update', ['pt_BR', 'en_US']))?.language,
        'en_US',
        'pt_BR is still in review',
      );
      await reviewPasses();
      const pt = await approvedTemplate(app.ctx.db, pageId, 'order_update', ['pt_BR', 'en_US']);
      assert.equal(pt?.language, 'pt_BR');
      assert.equal(pt?.body_variables, 2);
      assert.equal(await approvedTemplate(app.ctx.db, pageId, 'order_update', ['de_DE']), undefined);
      assert.equal(await approvedTemplate(app.ctx.db, pageId, 'store_hours', ['en_US']), undefined);
    });

    it('a utility send reaches a person whose window closed a month ago, as UTILITY through the outbox', async () => {
      const user = meta.emulator.createUser({ first_name: 'Ana', last_name: 'Test' });
      const said = await meta.emulator.user(user.id).says(pageId, 'hello');
      meta.emulator.advance(30 * DAY);
      const monthAgo = Date.now() - 30 * DAY;
      const contactId = await insertContact(app.ctx, pageId, said.psid!, {
        last_user_action_at: monthAgo,
        last_inbound_at: monthAgo,
      });
      const template = (await approvedTemplate(app.ctx.db, pageId, 'order_update', ['en_US']))!;
      const ctx = { ...app.ctx, clock: { now: () => Date.now() } };
      const queued = await ctx.db.transaction().execute((trx) =>
        enqueueSend(trx, ctx, {
          contactId,
          author: 'campaign',
          kind: 'utility',
          message: utilityMessage(template, ['Ana', '1042']),
        }),
      );
      assert.equal(queued.outcome, 'queued');
      const worker = startDispatcher(ctx);
      try {
        await eventually(
          async () =>
            (await ctx.db.selectFrom('deliveries').select('status').where('contact_id', '=', contactId).execute())[0]
              ?.status === 'sent',
          'the utility send is sent',
        );
      } finally {
        await worker.stop();
      }
      const sendCall = meta.emulator
        .calls()
        .find((c) => c.path.endsWith('/messages') && (c.params.recipient as Body)?.id === said.psid);
      assert.equal(sendCall?.params.messaging_type, 'UTILITY');
      assert.equal(sendCall?.status, 200);
      assert.ok(meta.emulator.inbox(user.id, pageId).some((m) => m.text === 'Hi Ana, your order 1042 has shipped.'));
      // The same person gets no promotional text: outside the window it is refused before the outbox.
      const refused = await ctx.db
        .transaction()
        .execute((trx) =>
          enqueueSend(trx, ctx, { contactId, author: 'automation', kind: 'text', message: { text: 'Hello again' } }),
        );
      assert.deepEqual(refused, { outcome: 'refused', reason: 'outside_window' });
    });

    it('deleting a template removes it at Meta and here', async () => {
      const [pt] = (await list()).filter((t) => t.name === 'order_update' && t.language === 'pt_BR');
      const del = await call(marketer, 'DELETE', `/api/v1/message-templates/${pt!.id}`);
      assert.equal(del.status, 204);
      assert.equal(meta.emulator.world.pages.get(pageId)!.templates.has(pt!.meta_id), false);
      assert.equal((await list()).filter((t) => t.id === pt!.id).length, 0);
      assert.equal((await call(marketer, 'DELETE', `/api/v1/message-templates/${pt!.id}`)).status, 404);
    });
  });
}
