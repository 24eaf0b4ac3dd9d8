import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { testDialects } from '../support/db.ts';
import { createTestApp } from '../support/app.ts';
import { runCli } from '../support/cli.ts';
import { PAGE, withShopDataDir } from './support.ts';
import { cliActor, type Actor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { importRecords } from '../../src/modules/imports/import-records.ts';
import { contactImporter } from '../../src/modules/imports/contact-import.ts';
import { exportColumns, exportContacts } from '../../src/modules/contacts/export-contacts.ts';
import { readRecords } from '../../src/lib/records.ts';
import { createSegment } from '../../src/modules/segments/segments.ts';

for (const dialect of testDialects()) {
  test(`exporting contacts reads every page of them; identifiers only for those who may read them, audited [${dialect}]`, async () => {
    const app = await createTestApp(dialect);
    try {
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'EAAG-shop' });
      const rows = Array.from({ length: 2345 }, (_, i) => `${1_000_000_000 + i},Person ${i}`).join('\n');
      const text = `psid,name\n${rows}\n`;
      await importRecords(app.ctx, cliActor, PAGE, readRecords(Readable.from([text]), 'csv'), contactImporter);
      const analyst: Actor = {
        type: 'token',
        id: 'tok_a',
        accountId: 'tok_a',
        role: 'analyst',
        pageScope: null,
        requestId: null,
      };
      const exp = await exportContacts(app.ctx, analyst, PAGE);
      assert.equal(exp.withIdentifiers, false);
      assert.ok(!exportColumns(exp.withIdentifiers, []).includes('psid'));
      const ids = new Set<string>();
      for await (const c of exp.rows) {
        assert.equal('psid' in c, false);
        ids.add(c.id);
      }
      assert.equal(ids.size, 2345);
      const owner = await exportContacts(app.ctx, cliActor, PAGE);
      assert.equal(owner.withIdentifiers, true);
      const vip = 'psid,tags\n1000000001,vip\n1000000002,vip\n1000000003,new\n';
      await importRecords(app.ctx, cliActor, PAGE, readRecords(Readable.from([vip]), 'csv'), contactImporter);
      const segment = await createSegment(app.ctx, cliActor, PAGE, {
        name: 'VIP',
        filter: { field: 'tag', op: 'eq', value: 'vip' },
      });
      const inSegment = await exportContacts(app.ctx, analyst, PAGE, { segmentId: segment.id });
      const names: string[] = [];
      for await (const c of inSegment.rows) names.push(c.name!);
      assert.deepEqual(names.sort(), ['Person 1', 'Person 2']);
      await assert.rejects(exportContacts(app.ctx, analyst, PAGE, { segmentId: 'sg_01m8zzzzzzzzzzzzzzzzzzzzzz' }), {
        code: 'not_found',
      });
      const audits = await app.ctx.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'contacts.exported')
        .execute();
      assert.deepEqual(
        audits.map((a) => JSON.parse(a.details!)),
        [{ psid_included: false }, { psid_included: true }, { psid_included: false, segment_id: segment.id }],
      );
      const scoped: Actor = { ...analyst, pageScope: ['999'] };
      await assert.rejects(exportContacts(app.ctx, scoped, PAGE), { code: 'not_found' });
    } finally {
      await app.close();
    }
  });
}

test('`pagescope export contacts` writes a CSV a spreadsheet opens safely, and JSON Lines', async () => {
  await withShopDataDir(async (dir) => {
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'psid,name\n1000000001,"=HYPERLINK(""http://x"")"\n1000000002,"Bo, Ray"\n');
    assert.equal((await runCli(['--data-dir', dir, 'import', 'contacts', file, '--page', PAGE])).code, 0);
    const out = join(dir, 'out.csv');
    const r = await runCli(['--data-dir', dir, 'export', 'contacts', '--page', PAGE, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'id,psid,name,first_name,last_name,locale,timezone,status,consent_marketing,last_user_action_at,created_at,tags',
    );
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.includes(`1000000001,"'=HYPERLINK(""http://x"")"`)));
    assert.ok(lines.some((l) => l.includes('1000000002,"Bo, Ray"')));
    const jsonl = await runCli(['--data-dir', dir, 'export', 'contacts', '--page', PAGE, '--format', 'jsonl']);
    const people = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string });
    assert.deepEqual(people.map((p) => p.name).sort(), ['=HYPERLINK("http://x")', 'Bo, Ray']);
  });
});
