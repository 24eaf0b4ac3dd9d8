// An agent links an order from the inbox (once; a 409 when someone else has it), finds it by its number first, and
// the order-status check answers a missing order, a wrong email and a wrong last name alike.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { mergeContacts } from '../../src/modules/contacts/merge-contacts.ts';
import { orderBody, ordersWorld, PAGE_A, PAGE_B, type OrdersWorld } from './support.ts';

for (const dialect of testDialects()) {
  describe(`linking orders and checking their status [${dialect}]`, () => {
    let w!: OrdersWorld;
    let orderId = '';
    before(async () => {
      w = await ordersWorld(dialect);
      await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
        sku: 'TEE-RED-M',
        name: 'Red tee M',
        category: 'apparel',
        price: 19.95,
        currency: 'EUR',
      });
      const res = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-5001', { email: ' Ana.Silva@Example.com', last_name: 'Silva', link_tag: 'buyer' }),
      );
      assert.equal(res.statusCode, 201, res.body);
      orderId = res.json().id;
    });
    after(async () => w.app.close());

    test('an agent finds an unlinked order of the Page by its number', async () => {
      const res = await w.call(w.agentOfA, 'GET', `/api/v1/pages/${PAGE_A}/orders?external_id=A-5001`);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        res.json().data.map((o: { id: string; contact_id: string | null }) => [o.id, o.contact_id]),
        [[orderId, null]],
      );
      const none = (await w.call(w.agentOfA, 'GET', `/api/v1/pages/${PAGE_A}/orders?external_id=A-9999`)).json();
      assert.deepEqual(none.data, []);
    });

    test('an agent links it to a contact: audited, the tag set, the inbox told, and again changes nothing', async () => {
      const res = await w.call(w.agentOfA, 'POST', `/api/v1/orders/${orderId}/link`, { contact_id: w.ana });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().contact_id, w.ana);
      assert.notEqual(res.json().linked_at, null);
      const again = await w.call(w.agentOfA, 'POST', `/api/v1/orders/${orderId}/link`, { contact_id: w.ana });
      assert.equal(again.statusCode, 200, again.body);
      const audits = await w.app.ctx.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('subject_id', '=', orderId)
        .where('action', '=', 'order.link')
        .execute();
      assert.deepEqual(
        audits.map((a) => JSON.parse(a.details!)),
        [{ contact_id: w.ana, via: 'agent', tagged: true }],
      );
      const tags = await w.app.ctx.db
        .selectFrom('contact_tags')
        .select('tag')
        .where('contact_id', '=', w.ana)
        .execute();
      assert.deepEqual(
        tags.map((t) => t.tag),
        ['buyer'],
      );
      const events = await w.app.ctx.db
        .selectFrom('inbox_events')
        .select('type')
        .where('contact_id', '=', w.ana)
        .where('type', '=', 'contact.updated')
        .execute();
      assert.equal(events.length, 1);
    });

    test('linking an order that another contact has is a 409', async () => {
      const res = await w.call(w.agentOfA, 'POST', `/api/v1/orders/${orderId}/link`, { contact_id: w.bea });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error.code, 'conflict');
    });

    test('two agents linking one order to two people at once: one wins, the other hears a 409', async () => {
      const fresh = (await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-5100'))).json().id;
      const answers = await Promise.all(
        [w.ana, w.bea].map((contact_id) => w.call(w.agentOfA, 'POST', `/api/v1/orders/${fresh}/link`, { contact_id })),
      );
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409]);
      const links = await w.app.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('subject_id', '=', fresh)
        .where('action', '=', 'order.link')
        .execute();
      assert.equal(links.length, 1);
    });

    test("Page B's admin can neither link Page A's order nor link it to Page B's contact", async () => {
      const other = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-5002'));
      const id = other.json().id;
      const byB = await w.call(w.adminOfB, 'POST', `/api/v1/orders/${id}/link`, { contact_id: w.bob });
      assert.equal(byB.statusCode, 404);
      const crossPage = await w.call(w.admin, 'POST', `/api/v1/orders/${id}/link`, { contact_id: w.bob });
      assert.equal(crossPage.statusCode, 404);
      assert.equal(crossPage.json().error.message, 'contact not found');
      const row = await w.app.ctx.db
        .selectFrom('orders')
        .select('contact_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.contact_id, null);
    });

    // A-5100 went to Ana or Bea in the race above: after the merge it is in the list either way.
    test("a record merged into another brings its orders to the other's list", async () => {
      const bea = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-6001', { contact_id: w.bea }),
      );
      assert.equal(bea.statusCode, 201, bea.body);
      await mergeContacts(w.app.ctx, cliActor, w.bea, w.ana);
      const listed = (await w.call(w.agentOfA, 'GET', `/api/v1/contacts/${w.ana}/orders`)).json();
      assert.deepEqual(listed.data.map((o: { external_id: string }) => o.external_id).sort(), [
        'A-5001',
        'A-5100',
        'A-6001',
      ]);
    });

    test('the status check finds the order by its number and the email or last name, in any case and spacing', async () => {
      for (const proof of [{ email: 'ana.silva@example.com ' }, { last_name: ' SILVA' }]) {
        const res = await w.call(w.agentOfA, 'POST', `/api/v1/pages/${PAGE_A}/orders/status-check`, {
          external_id: 'A-5001',
          ...proof,
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual([res.json().found, res.json().status, res.json().total], [true, 'paid', 59.9]);
      }
    });

    test('a missing order, a wrong email and a wrong last name get the very same answer', async () => {
      const ask = (body: object) => w.call(w.agentOfA, 'POST', `/api/v1/pages/${PAGE_A}/orders/status-check`, body);
      const answers = [
        await ask({ external_id: 'A-0000', email: 'ana.silva@example.com' }),
        await ask({ external_id: 'A-5001', email: 'someone@example.com' }),
        await ask({ external_id: 'A-5001', last_name: 'Costa' }),
        await ask({ external_id: 'A-5002', email: 'ana.silva@example.com' }),
      ];
      assert.deepEqual(
        answers.map((a) => a.statusCode),
        [200, 200, 200, 200],
      );
      const bodies = new Set(answers.map((a) => a.body));
      assert.equal(bodies.size, 1);
      assert.deepEqual(answers[0]!.json(), {
        found: false,
        status: null,
        currency: null,
        total: null,
        item_count: null,
        ordered_at: null,
        updated_at: null,
      });
      const found = await ask({ external_id: 'A-5001', email: 'ana.silva@example.com' });
      assert.deepEqual(Object.keys(found.json()).sort(), Object.keys(answers[0]!.json()).sort());
    });

    test('the status check needs a proof, and another Page is a 404', async () => {
      const bare = await w.call(w.agentOfA, 'POST', `/api/v1/pages/${PAGE_A}/orders/status-check`, {
        external_id: 'A-5001',
      });
      assert.equal(bare.statusCode, 400);
      assert.match(bare.json().error.message, /email or last_name/);
      const other = await w.call(w.agentOfA, 'POST', `/api/v1/pages/${PAGE_B}/orders/status-check`, {
        external_id: 'A-5001',
        email: 'ana.silva@example.com',
      });
      assert.equal(other.statusCode, 404);
    });
  });
}
