// The shop's side of orders over HTTP: the catalogue by sku, orders idempotent by external id (a re-post updates what
// changed), money and lines validated, a contact's orders with their lines, and Page scope on every route.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { countRows, orderBody, ordersWorld, PAGE_A, PAGE_B, type OrdersWorld } from './support.ts';

for (const dialect of testDialects()) {
  describe(`catalogue and orders over HTTP [${dialect}]`, () => {
    let w!: OrdersWorld;
    before(async () => {
      w = await ordersWorld(dialect);
      for (const p of [
        { sku: 'TEE-RED-M', name: 'Red tee M', category: 'apparel', price: 19.95, currency: 'EUR' },
        { sku: 'MUG-01', name: 'Mug', category: 'kitchen', price: 20, currency: 'EUR' },
        { sku: 'CAP-01', name: 'Cap', category: 'apparel', price: 15, currency: 'EUR' },
      ])
        assert.equal((await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, p)).statusCode, 201);
    });
    after(async () => w.app.close());

    test('a product posted again by sku is replaced in place (200, same id)', async () => {
      const first = (await w.call(w.admin, 'GET', `/api/v1/pages/${PAGE_A}/products?category=kitchen`)).json();
      const res = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
        sku: 'MUG-01',
        name: 'Big mug',
        category: 'kitchen',
        price: 22.5,
        currency: 'EUR',
        url: 'https://shop.example/mug',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        [res.json().id, res.json().name, res.json().price, res.json().url],
        [first.data[0].id, 'Big mug', 22.5, 'https://shop.example/mug'],
      );
      assert.equal(res.json().active, true, 'on sale unless said otherwise');
      const off = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
        sku: 'MUG-01',
        name: 'Big mug',
        category: 'kitchen',
        price: 22.5,
        currency: 'EUR',
        active: false,
      });
      assert.deepEqual([off.statusCode, off.json().id, off.json().active], [200, first.data[0].id, false]);
      const back = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
        sku: 'MUG-01',
        name: 'Big mug',
        category: 'kitchen',
        price: 22.5,
        currency: 'EUR',
        url: 'https://shop.example/mug',
      });
      assert.equal(back.json().active, true);
    });

    test('the catalogue lists by sku, one category at a time, page by page', async () => {
      const one = (await w.call(w.agentOfA, 'GET', `/api/v1/pages/${PAGE_A}/products?category=apparel&limit=1`)).json();
      assert.deepEqual(
        one.data.map((p: { sku: string }) => p.sku),
        ['CAP-01'],
      );
      const two = (
        await w.call(
          w.agentOfA,
          'GET',
          `/api/v1/pages/${PAGE_A}/products?category=apparel&limit=1&cursor=${one.next_cursor}`,
        )
      ).json();
      assert.deepEqual([two.data.map((p: { sku: string }) => p.sku), two.next_cursor], [['TEE-RED-M'], null]);
    });

    test('an agent may read the catalogue but not write it', async () => {
      const res = await w.call(w.agentOfA, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
        sku: 'X',
        name: 'X',
        category: 'x',
        price: 1,
        currency: 'EUR',
      });
      assert.equal(res.statusCode, 403);
    });

    test('the same order posted twice is one order: 201, then 200 with the same id and no new audit row', async () => {
      const first = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-1001'));
      assert.equal(first.statusCode, 201, first.body);
      const audits = await countRows(w.app, 'audit_events');
      const again = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-1001'));
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().id, first.json().id);
      assert.equal(await countRows(w.app, 'audit_events'), audits);
      const order = first.json();
      assert.deepEqual(
        [order.status, order.total, order.item_count, order.contact_id, order.ordered_at],
        ['paid', 59.9, 3, null, '2026-11-20T10:00:00.000Z'],
      );
      assert.deepEqual(
        order.items.map((i: { sku: string; name: string; category: string; quantity: number }) => [
          i.sku,
          i.name,
          i.category,
          i.quantity,
        ]),
        [
          ['TEE-RED-M', 'Red tee M', 'apparel', 2],
          ['MUG-01', 'Big mug', 'kitchen', 1],
        ],
      );
    });

    test('a re-post with a new status and lines updates the order and audits the names of what changed', async () => {
      const res = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-1001', { status: 'Shipped', items: [{ sku: 'CAP-01', quantity: 1, price: 15 }], total: 15 }),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        [res.json().status, res.json().total, res.json().item_count, res.json().items.length],
        ['shipped', 15, 1, 1],
      );
      const audit = await w.app.ctx.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('action', '=', 'order.update')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(audit.details!), { changed: ['status', 'total', 'item_count', 'items'] });
    });

    test('two posts of the same new order at once make one row and no error', async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-RACE'))),
      );
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 200, 200, 201]);
      assert.equal(new Set(answers.map((r) => r.json().id)).size, 1);
      const rows = await w.app.ctx.db.selectFrom('orders').select('id').where('external_id', '=', 'A-RACE').execute();
      assert.equal(rows.length, 1);
      const lines = await w.app.ctx.db
        .selectFrom('order_items')
        .select('line_no')
        .where('order_id', '=', rows[0]!.id)
        .execute();
      assert.equal(lines.length, 2);
    });

    test('money and lines are checked, and the 400 names the field', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ total: -1 }, /total/],
        [{ total: 2 ** 53 + 2 }, /total/],
        [{ currency: 'eur' }, /currency/],
        [{ currency: 'EURO' }, /currency/],
        [{ items: [] }, /items/],
        [{ items: Array.from({ length: 501 }, (_, i) => ({ sku: `S${i}`, quantity: 1, price: 1 })) }, /items/],
        [{ items: [{ sku: 'A', quantity: 0, price: 1 }] }, /quantity/],
        [{ items: [{ sku: 'A', quantity: 1.5, price: 1 }] }, /quantity/],
        [{ items: [{ sku: 'A', quantity: 1, price: -0.01 }] }, /price/],
        [{ created_at: 'yesterday' }, /created_at/],
        [{ contact_id: 'ct_x', link_ref: 'r' }, /contact_id or link_ref/],
      ];
      for (const [over, field] of cases) {
        const res = await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-BAD', over));
        assert.equal(res.statusCode, 400, `${JSON.stringify(over).slice(0, 80)}: ${res.body}`);
        assert.match(res.json().error.message, field);
      }
      assert.equal(
        (await w.app.ctx.db.selectFrom('orders').select('id').where('external_id', '=', 'A-BAD').execute()).length,
        0,
      );
      const big = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-BIG', { total: 2 ** 53 }),
      );
      assert.equal(big.statusCode, 201, big.body);
    });

    test("an order posted with a contact joins it: its lines follow, and its categories become the contact's interests", async () => {
      const res = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-2001', { contact_id: w.ana }),
      );
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().contact_id, w.ana);
      const lines = await w.app.ctx.db
        .selectFrom('order_items')
        .select('contact_id')
        .where('order_id', '=', res.json().id)
        .execute();
      assert.deepEqual(
        lines.map((l) => l.contact_id),
        [w.ana, w.ana],
      );
      const interests = (await w.call(w.agentOfA, 'GET', `/api/v1/contacts/${w.ana}/interests`)).json().data;
      assert.deepEqual(interests.map((i: { interest: string; weight: number }) => [i.interest, i.weight]).sort(), [
        ['category:apparel', 1],
        ['category:kitchen', 1],
      ]);
      const listed = (await w.call(w.agentOfA, 'GET', `/api/v1/contacts/${w.ana}/orders`)).json();
      assert.deepEqual(
        listed.data.map((o: { external_id: string }) => o.external_id),
        ['A-2001'],
      );
    });

    test('a re-post naming another contact than the linked one is a 409 and changes nothing', async () => {
      const res = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-2001', { contact_id: w.bea }),
      );
      assert.equal(res.statusCode, 409, res.body);
      const row = await w.app.ctx.db
        .selectFrom('orders')
        .select('contact_id')
        .where('external_id', '=', 'A-2001')
        .executeTakeFirstOrThrow();
      assert.equal(row.contact_id, w.ana);
    });

    test("a contact of another Page cannot be named on an order, and Page B's admin cannot see Page A's orders", async () => {
      const res = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-3001', { contact_id: w.bob }),
      );
      assert.equal(res.statusCode, 404, res.body);
      for (const url of [
        `/api/v1/contacts/${w.ana}/orders`,
        `/api/v1/contacts/${w.ana}/interests`,
        `/api/v1/pages/${PAGE_A}/orders?external_id=A-2001`,
        `/api/v1/pages/${PAGE_A}/products`,
      ]) {
        const r = await w.call(w.adminOfB, 'GET', url);
        assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
      }
      const post = await w.call(w.adminOfB, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('A-3002'));
      assert.equal(post.statusCode, 404);
      const mine = (await w.call(w.adminOfB, 'GET', `/api/v1/pages/${PAGE_B}/orders`)).json();
      assert.deepEqual(mine.data, []);
    });

    test("an order's audit rows carry no order number, email or name", async () => {
      await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('A-SECRET-77', { email: 'ana@example.com', last_name: 'Silva', link_ref: 'ref-secret-77' }),
      );
      const rows = await w.app.ctx.db
        .selectFrom('audit_events')
        .select('details')
        .where('subject_type', '=', 'order')
        .execute();
      const text = JSON.stringify(rows);
      for (const secret of ['A-SECRET-77', 'ana@example.com', 'Silva', 'ref-secret-77'])
        assert.equal(text.includes(secret), false);
      assert.equal(w.app.logs.text().includes('ana@example.com'), false);
    });
  });
}
