import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { openApp } from '../../src/app/bootstrap.ts';
import { runCli } from '../support/cli.ts';
import { seedContact } from '../support/seed.ts';

test('operators merge two contacts of one Page and split them again from the CLI, and both are audited', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-contacts-cli-'));
  try {
    assert.equal((await runCli(['--data-dir', dir, 'init', '--json'])).code, 0);
    assert.equal(
      (
        await runCli([
          '--data-dir',
          dir,
          'pages',
          'add',
          '--id',
          '4400000000000004',
          '--name',
          'Shop',
          '--token',
          'EAA-shop-token',
          '--no-verify',
        ])
      ).code,
      0,
    );
    const ctx = await openApp(loadConfig({ PAGESCOPE_DATA_DIR: dir }));
    const old = await seedContact(ctx, '4400000000000004', {
      psid: '4000000000000001',
      name: 'Old PSID',
      text: 'before the block',
    });
    const current = await seedContact(ctx, '4400000000000004', {
      psid: '4000000000000002',
      name: 'New PSID',
      text: 'after',
    });
    await ctx.close();

    const merge = await runCli([
      '--data-dir',
      dir,
      'contacts',
      'merge',
      old.contactId,
      '--into',
      current.contactId,
      '--json',
    ]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.equal(JSON.parse(merge.stdout).id, current.contactId);
    const again = await runCli([
      '--data-dir',
      dir,
      'contacts',
      'merge',
      old.contactId,
      '--into',
      'ct_missing',
      '--json',
    ]);
    assert.equal(again.code, 1);
    const split = await runCli(['--data-dir', dir, 'contacts', 'split', old.contactId, '--json']);
    assert.equal(split.code, 0, split.stderr);
    assert.equal(JSON.parse(split.stdout).merged_into, null);

    const check = await openApp(loadConfig({ PAGESCOPE_DATA_DIR: dir }));
    const actions = (
      await check.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_id', 'in', [old.contactId, current.contactId])
        .execute()
    ).map((r) => r.action);
    await check.close();
    assert.ok(
      actions.some((a) => a.includes('merge')),
      `audit holds the merge: ${actions.join(', ')}`,
    );
    assert.ok(
      actions.some((a) => a.includes('split')),
      `audit holds the split: ${actions.join(', ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
