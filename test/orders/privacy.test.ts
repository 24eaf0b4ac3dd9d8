// A person's orders (with every line) and interests are in their access export in readable form, and erasure removes
// them; an order no contact has is nobody's personal data and stays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { buildContactExport } from '../../src/modules/privacy/export-contact.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';
import { orderBody, ordersWorld, PAGE_A, type OrdersWorld } from './support.ts';

for (const dialect of testDialects()) {
  describe(`orders and interests in the access export and erasure [${dialect}]`, () => {
    let w!: OrdersWorld;
    before(async () => {
      w = await ordersWorld(dialect);
      for (const [sku, category] of [
        ['TEE-RED-M', 'apparel'],
        ['MUG-01', 'kitchen'],
      ])
        await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/products`, {
          sku,
          name: sku,
          category,
          price: 10,
          currency: 'EUR',
        });
      const own = await w.call(
        w.admin,
        'POST',
        `/api/v1/pages/${PAGE_A}/orders`,
        orderBody('P-1', { contact_id: w.ana }),
      );
      assert.equal(own.statusCode, 201, own.body);
      await w.call(w.admin, 'POST', `/api/v1/pages/${PAGE_A}/orders`, orderBody('P-2', { link_ref: 'ref-p-2' }));
    });
    after(async () => w.app.close());

    test('the export holds the order, each of its lines and each interest, readable', async () => {
      const out = await buildContactExport(w.app.ctx, w.app.ctx.db, w.ana);
      assert.deepEqual(
        out.tables.orders!.map((o) => [o.external_id, o.status, o.total, o.ordered_at]),
        [['P-1', 'paid', 59.9, '2026-11-20T10:00:00.000Z']],
      );
      assert.deepEqual(
        out.tables.order_items!.map((i) => [i.sku, i.category, i.quantity]),
        [
          ['TEE-RED-M', 'apparel', 2],
          ['MUG-01', 'kitchen', 1],
        ],
      );
      assert.deepEqual(out.tables.contact_interests!.map((i) => i.interest).sort(), [
        'category:apparel',
        'category:kitchen',
      ]);
      assert.equal(JSON.stringify(out.tables.orders).includes('bidx'), false);
    });

    test("erasure removes the person's orders, lines and interests, and leaves the unlinked order", async () => {
      await eraseContactData(w.app.ctx, w.ana);
      for (const table of ['orders', 'order_items', 'contact_interests'] as const) {
        const rows = await w.app.ctx.db.selectFrom(table).select('page_id').where('contact_id', '=', w.ana).execute();
        assert.equal(rows.length, 0, table);
      }
      const left = await w.app.ctx.db.selectFrom('orders').select('external_id').execute();
      assert.deepEqual(
        left.map((o) => o.external_id),
        ['P-2'],
      );
    });
  });
}
