import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { PAGE, withShopDataDir } from './support.ts';
import { cliActor, type Actor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { importRecords } from '../../src/modules/imports/import-records.ts';
import { contactImporter } from '../../src/modules/imports/contact-import.ts';
import { listContacts } from '../../src/modules/contacts/read-contacts.ts';
import { readRecords } from '../../src/lib/records.ts';
import { defineAttribute } from '../../src/modules/attributes/attribute-definitions.ts';

const OTHER = '5500000000000006';

const csv = (text: string) => readRecords(Readable.from([text]), 'csv');

for (const dialect of testDialects()) {
  test(`importing contacts from a file [${dialect}]`, async (t) => {
    let app!: TestApp;
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAAG-shop' });
      await registerPage(app.ctx, cliActor, { id: OTHER, name: 'Other', access_token: 'EAAG-other' });
    });
    after(async () => app.close());

    const run = async (text: string, actor: Actor = cliActor, page = PAGE) => {
      const rejected: [number, string][] = [];
      const report = await importRecords(app.ctx, actor, page, csv(text), contactImporter, {
        reject: (line, reason) => rejected.push([line, reason]),
      });
      return { report, rejected };
    };
    const names = async () =>
      (await listContacts(app.ctx, cliActor, PAGE, { q: null, cursor: null, limit: 100, identifiers: false })).rows
        .map((c) => c.name)
        .sort();

    await t.test('good rows go in, each broken row is reported by its line and the rest still go in', async () => {
      const { report, rejected } = await run(
        'psid,name,locale,timezone\n' +
          '1000000001,Ann Lee,en_US,1\n' +
          'abc,Not a psid,,\n' +
          '1000000002,"Bo ""B"" Ray",fr_FR,2\n' +
          '1000000003,Cy,english,\n' +
          '1000000004,Di,,3,extra\n',
      );
      assert.deepEqual(report, { imported: 2, rejected: 3 });
      assert.deepEqual(rejected, [
        [3, 'psid must be the digits of a page-scoped id'],
        [5, 'locale must look like en_US'],
        [6, 'the row has 5 cells where the header names 4'],
      ]);
      assert.deepEqual(await names(), ['Ann Lee', 'Bo "B" Ray']);
      const found = await listContacts(app.ctx, cliActor, PAGE, {
        q: 'ann',
        cursor: null,
        limit: 10,
        identifiers: false,
      });
      assert.equal(found.rows.length, 1, 'imported names are searchable');
    });

    await t.test('importing the same file again changes no count: a PSID is one contact', async () => {
      const { report } = await run('psid,name\n1000000001,Ann Lee-Smith\n');
      assert.deepEqual(report, { imported: 1, rejected: 0 });
      assert.deepEqual(await names(), ['Ann Lee-Smith', 'Bo "B" Ray']);
    });

    await t.test('a row that cannot be stored is rejected alone; its batch still goes in', async () => {
      await app.ctx.db
        .updateTable('contacts')
        .set({ status: 'erased', name_enc: null })
        .where('page_id', '=', PAGE)
        .where('locale', '=', 'fr_FR')
        .execute();
      const { report, rejected } = await run('psid,name\n1000000005,Ed\n1000000002,Back again\n1000000006,Fi\n');
      assert.deepEqual(report, { imported: 2, rejected: 1 });
      assert.deepEqual(rejected, [[3, "this person's data was erased at their request: the row is not imported"]]);
      assert.deepEqual(await names(), ['Ann Lee-Smith', 'Ed', 'Fi']);
    });

    await t.test(
      'an unknown column names itself; an importer outside the Page or without the right is refused',
      async () => {
        const { rejected } = await run('psid,nickname\n1000000007,Gus\n');
        assert.deepEqual(rejected, [[2, 'unknown column "nickname"']]);
        const scoped: Actor = {
          type: 'token',
          id: 'tok_x',
          accountId: 'tok_x',
          role: 'admin',
          pageScope: [OTHER],
          requestId: null,
        };
        await assert.rejects(run('psid\n1000000008\n', scoped), { code: 'not_found' });
        const analyst: Actor = {
          type: 'token',
          id: 'tok_y',
          accountId: 'tok_y',
          role: 'analyst',
          pageScope: null,
          requestId: null,
        };
        await assert.rejects(run('psid\n1000000008\n', analyst), { code: 'forbidden' });
        await assert.rejects(run('psid\n1000000008\n', cliActor, '999'), { code: 'not_found' });
      },
    );

    await t.test(
      'tags and attribute values come in typed; a value of the wrong type or an undefined key is named',
      async () => {
        await defineAttribute(app.ctx, cliActor, PAGE, { key: 'points', type: 'number' });
        await defineAttribute(app.ctx, cliActor, PAGE, { key: 'email', type: 'text', personal: true });
        const { report, rejected } = await run(
          'psid,name,tags,attribute.points,attribute.email\n' +
            '1000000020,Hal,"VIP; newsletter",120,hal@example.com\n' +
            '1000000021,Ida,vip,lots,\n' +
            '1000000022,Jo,,7,\n',
        );
        assert.deepEqual(report, { imported: 2, rejected: 1 });
        assert.equal(rejected[0]![0], 3);
        assert.match(rejected[0]![1], /points/);
        const people = (
          await listContacts(app.ctx, cliActor, PAGE, { q: null, cursor: null, limit: 100, identifiers: false })
        ).rows;
        const hal = people.find((c) => c.name === 'Hal')!;
        assert.deepEqual([...hal.tags].sort(), ['newsletter', 'vip']);
        assert.deepEqual(hal.attributes, { email: 'hal@example.com', points: 120 });
        assert.deepEqual(people.find((c) => c.name === 'Jo')!.attributes, { points: 7 });
        const unknown = await run('psid,attribute.shoe_size\n1000000023,42\n');
        assert.match(unknown.rejected[0]![1], /shoe_size/);
      },
    );

    await t.test(
      'a batch naming a PSID twice, people known and new, and a row past the tag cap: each row as it would go alone',
      async () => {
        const many = Array.from({ length: 201 }, (_, i) => `t${i}`).join('; ');
        const mixed = await run(
          'psid,name,tags\n' +
            '1000000030,Kim,a\n' +
            '1000000030,Kim Two,b\n' +
            `1000000031,Lou,"${many}"\n` +
            '1000000005,Ed Again,c\n' +
            '1000000032,Max,d\n',
        );
        assert.deepEqual(mixed.report, { imported: 4, rejected: 1 });
        assert.deepEqual(mixed.rejected, [[4, 'a contact carries at most 200 tags']]);
        // New people only: the batch goes in at once, and the row past the cap still fails alone.
        const fresh = await run(`psid,name,tags\n1000000033,Ned,e\n1000000034,Ola,"${many}"\n1000000035,Pia,\n`);
        assert.deepEqual(fresh.report, { imported: 2, rejected: 1 });
        assert.deepEqual(fresh.rejected, [[3, 'a contact carries at most 200 tags']]);
        const people = (
          await listContacts(app.ctx, cliActor, PAGE, { q: null, cursor: null, limit: 100, identifiers: false })
        ).rows;
        const tagsOf = (name: string) => [...people.find((c) => c.name === name)!.tags].sort();
        assert.deepEqual(tagsOf('Kim Two'), ['a', 'b']);
        assert.deepEqual(tagsOf('Ed Again'), ['c']);
        assert.deepEqual(tagsOf('Max'), ['d']);
        assert.deepEqual(tagsOf('Ned'), ['e']);
        assert.deepEqual(tagsOf('Pia'), []);
        assert.equal(people.filter((c) => ['Lou', 'Ola', 'Kim'].includes(c.name ?? '')).length, 0);
        const found = await listContacts(app.ctx, cliActor, PAGE, {
          q: 'ned',
          cursor: null,
          limit: 10,
          identifiers: false,
        });
        assert.equal(found.rows.length, 1, 'a name stored by the batch is searchable');
      },
    );

    await t.test('each stored batch is audited with its row count and lines, never the rows', async () => {
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', '=', 'contacts.imported')
        .execute();
      assert.ok(audit.length >= 3);
      assert.ok(audit.every((a) => !/Ann|Lee|Ed\b/.test(a.details ?? '')));
    });
  });
}

test('`pagescope import contacts` reads a JSON Lines file and reports rejected rows by line on stderr', async () => {
  await withShopDataDir(async (dir) => {
    const file = join(dir, 'people.jsonl');
    writeFileSync(file, '{"psid":"1000000001","name":"Ann"}\n{"psid":"x"}\n{"psid":"1000000002","timezone":2}\n');
    const r = await runCli(['--data-dir', dir, 'import', 'contacts', file, '--page', PAGE, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(JSON.parse(r.stdout), { kind: 'contacts', page_id: PAGE, imported: 2, rejected: 1 });
    assert.match(r.stderr, /line 2: psid must be the digits of a page-scoped id/);
    const unknown = await runCli(['--data-dir', dir, 'import', 'contacts', join(dir, 'people.xlsx'), '--page', PAGE]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /cannot tell the format/);
  });
});

test('`pagescope import products` and `import orders` store rows as the API does: idempotent, a bad row rejected by line', async () => {
  await withShopDataDir(async (dir) => {
    const products = join(dir, 'products.csv');
    writeFileSync(
      products,
      'sku,name,category,price,currency\nSH-1,Trail shoe,shoes,89.90,EUR\nSO-1,Wool socks,socks,twelve,EUR\nSO-2,Run socks,socks,12,EUR\n',
    );
    const p = await runCli(['--data-dir', dir, 'import', 'products', products, '--page', PAGE, '--json']);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(JSON.parse(p.stdout), { kind: 'products', page_id: PAGE, imported: 2, rejected: 1 });
    assert.match(p.stderr, /line 3: price must be a number/);
    const orders = join(dir, 'orders.jsonl');
    const order = (id: string, items: unknown) =>
      JSON.stringify({
        external_id: id,
        status: 'paid',
        currency: 'EUR',
        total: 101.9,
        items,
        created_at: '2026-11-30T10:00:00Z',
      });
    writeFileSync(
      orders,
      [
        order('1001', [
          { sku: 'SH-1', quantity: 1, price: 89.9 },
          { sku: 'SO-2', quantity: 1, price: 12 },
        ]),
        order('1002', 'not lines'),
        order('1003', [{ sku: 'SO-2', quantity: 2, price: 12 }]),
      ].join('\n') + '\n',
    );
    for (let run = 0; run < 2; run++) {
      const o = await runCli(['--data-dir', dir, 'import', 'orders', orders, '--page', PAGE, '--json']);
      assert.equal(o.code, 0, o.stderr);
      assert.deepEqual(JSON.parse(o.stdout), { kind: 'orders', page_id: PAGE, imported: 2, rejected: 1 });
      assert.match(o.stderr, /line 2: items must be a non-empty JSON array/);
    }
    const { openApp } = await import('../../src/app/bootstrap.ts');
    const { loadConfig } = await import('../../src/config/config.ts');
    const ctx = await openApp(loadConfig({ PAGESCOPE_DATA_DIR: dir }));
    try {
      const stored = await ctx.db.selectFrom('orders').select('external_id').orderBy('external_id').execute();
      assert.deepEqual(
        stored.map((r) => r.external_id),
        ['1001', '1003'],
      );
      const lines = await ctx.db.selectFrom('order_items').select(['sku', 'category']).orderBy('sku').execute();
      assert.deepEqual(
        lines.map((l) => `${l.sku}:${l.category}`),
        ['SH-1:shoes', 'SO-2:socks', 'SO-2:socks'],
      );
    } finally {
      await ctx.close();
    }
  });
});
