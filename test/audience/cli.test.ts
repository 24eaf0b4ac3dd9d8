// The tags and attributes commands, run as an operator runs them: the real bin on an initialised data dir.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openApp } from '../../src/app/bootstrap.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { runCli, runCliOk } from '../support/cli.ts';
import { seedContact } from '../support/seed.ts';

const PAGE = '1100000000000001';
const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-audience-cli-'));
const env = { PAGESCOPE_DATA_DIR: dataDir, PAGESCOPE_MASTER_KEY: randomBytes(32).toString('base64') };
let contactId = '';

const json = async (...args: string[]) =>
  JSON.parse(await runCliOk([...args, '--json'], env)) as Record<string, unknown>;

before(async () => {
  await runCliOk(['init'], env);
  await runCliOk(['pages', 'add', '--id', PAGE, '--name', 'Shop', '--no-verify'], {
    ...env,
    PAGESCOPE_PAGE_TOKEN: 'EAA-token',
  });
  const ctx = await openApp(loadConfig(env), { env, logger: createLogger('silent') });
  try {
    contactId = (await seedContact(ctx, PAGE, { psid: '1000000000000001', name: 'Ann', text: 'hi' })).contactId;
  } finally {
    await ctx.close();
  }
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('attributes define and list show what the Page defines', async () => {
  await runCliOk(['attributes', 'define', '--page', PAGE, 'tier', '--type', 'text'], env);
  await runCliOk(['attributes', 'define', '--page', PAGE, 'lifetime_value', '--type', 'number'], env);
  const email = await json('attributes', 'define', '--page', PAGE, 'email', '--type', 'text', '--personal');
  assert.deepEqual([email.key, email.personal], ['email', true]);
  const listed = (await json('attributes', 'list', '--page', PAGE)).data as { key: string; type: string }[];
  assert.deepEqual(
    listed.map((d) => `${d.key}:${d.type}`),
    ['email:text', 'lifetime_value:number', 'tier:text'],
  );
});

test('contacts tag, untag and set change the contact as the API would', async () => {
  assert.deepEqual((await json('contacts', 'tag', contactId, 'VIP', 'wholesale')).tags, ['vip', 'wholesale']);
  assert.deepEqual((await json('contacts', 'untag', contactId, 'wholesale')).tags, ['vip']);
  const set = await json('contacts', 'set', contactId, 'tier=gold', 'lifetime_value=120.5', 'email=ann@example.com');
  assert.deepEqual(set.attributes, { email: 'ann@example.com', lifetime_value: 120.5, tier: 'gold' });
});

test('a value of the wrong type or an undefined key fails naming the key', async () => {
  const wrong = await runCli(['contacts', 'set', contactId, 'lifetime_value=lots'], env);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /lifetime_value: must be a number/);
  const unknown = await runCli(['contacts', 'set', contactId, 'shoe_size=42'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /shoe_size: not an attribute of this Page/);
});
