import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, until, type RunningSandbox } from './support.ts';
import { DEMO_CUSTOMERS, DEMO_PRODUCTS, DEMO_SEGMENTS } from '../../src/sandbox/demo-shop.ts';

interface Segment {
  id: string;
  name: string;
  filter: unknown;
}

/** What a newcomer sees of the demo shop's audience, read through the public API. */
async function shopAudience(s: RunningSandbox) {
  const page = s.ready.pages[0]!;
  const products = (await (await s.api(`/api/v1/pages/${page.id}/products?limit=100`)).json()) as {
    data: { sku: string; category: string }[];
  };
  const segments = (await (await s.api(`/api/v1/pages/${page.id}/segments`)).json()) as { data: Segment[] };
  const count = async (filter: unknown) => {
    const r = await s.api(`/api/v1/pages/${page.id}/segments/preview`, {
      method: 'POST',
      body: JSON.stringify({ filter, limit: 100 }),
    });
    const body = (await r.json()) as { count: number; sample: { name: string | null }[] };
    assert.equal(r.status, 200, JSON.stringify(body));
    return { count: body.count, names: body.sample.map((c) => c.name).sort() };
  };
  return { page, products: products.data, segments: segments.data, count };
}

test(
  "the sandbox's demo shop has a catalogue, customers' orders (some joined through the m.me link) and two segments, once",
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-shop-'));
    const running: RunningSandbox[] = [];
    try {
      const first = await startSandbox(dir, ['--rate', '0']);
      running.push(first);
      const shop = await shopAudience(first);
      assert.equal(shop.products.length, 12);
      assert.equal(new Set(shop.products.map((p) => p.category)).size, 4);
      assert.deepEqual(shop.segments.map((s) => s.name).sort(), DEMO_SEGMENTS.map((s) => s.name).sort());
      // The people who followed an m.me link joined their orders through the webhook: the orders' tag is on them.
      // Names come with each new contact's profile, fetched from the emulator just after the contact appears.
      const holds = (filter: unknown, names: string[]) =>
        until(`the segment to hold ${names.join(', ')}`, async () => {
          const r = await shop.count(filter);
          return JSON.stringify(r.names) === JSON.stringify([...names].sort()) ? r : undefined;
        });
      const linked = DEMO_CUSTOMERS.filter((c) => c.via === 'link').map((c) => `${c.first_name} ${c.last_name}`);
      await holds({ field: 'tag', op: 'eq', value: 'ordered via messenger' }, linked);
      const [shoes, loyal] = [DEMO_SEGMENTS[0].name, DEMO_SEGMENTS[1].name].map((name) =>
        shop.segments.find((s) => s.name === name)!,
      );
      const shoesNow = await holds(shoes!.filter, ['Ana Ferreira', 'David Novak', 'Fatima Haddad']);
      const loyalNow = await holds(loyal!.filter, ['Ana Ferreira', 'Chloé Martin', 'Fatima Haddad']);
      assert.equal(shoesNow.count, 3);
      assert.equal(loyalNow.count, 3);
      const psidReads = async (s: RunningSandbox) =>
        ((await (await s.api('/api/v1/audit-events?action=contact.identifier_read&limit=100')).json()) as { data: [] })
          .data.length;
      const readsBefore = await psidReads(first);
      assert.equal(await first.stop(), 0, first.stderr());

      // A restart adds nothing: the same products, segments, customers and orders.
      const second = await startSandbox(dir, ['--rate', '0']);
      running.push(second);
      const again = await shopAudience(second);
      assert.equal(again.products.length, DEMO_PRODUCTS.length);
      assert.deepEqual(again.segments.map((s) => s.id).sort(), shop.segments.map((s) => s.id).sort());
      assert.deepEqual(await again.count(shoes!.filter), shoesNow);
      assert.deepEqual(await again.count(loyal!.filter), loyalNow);
      const orders = DEMO_CUSTOMERS.reduce((n, c) => n + c.orders.length, 0);
      assert.equal(
        (await again.count({ field: 'orders.count', op: 'gte', value: 1 })).count,
        DEMO_CUSTOMERS.length,
        'each customer once',
      );
      const perPerson = await Promise.all(
        [1, 2, 3, 4].map(async (n) => (await again.count({ field: 'orders.count', op: 'eq', value: n })).count * n),
      );
      assert.equal(
        perPerson.reduce((a, b) => a + b, 0),
        orders,
        'each order once',
      );
      // Nor does it change or re-read anything: no order is updated and no PSID looked up to seed them again.
      for (const action of ['order.update', 'order.create']) {
        const audited = (await (await second.api(`/api/v1/audit-events?action=${action}&limit=100`)).json()) as {
          data: unknown[];
        };
        const before = action === 'order.create' ? orders : 0;
        assert.equal(audited.data.length, before, `${action} in the audit log after the restart`);
      }
      assert.equal(await psidReads(second), readsBefore, 'PSIDs read in the audit log after the restart');
      assert.equal(await second.stop(), 0, second.stderr());
    } finally {
      for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
