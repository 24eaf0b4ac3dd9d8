import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { initialise, openApp } from '../../src/app/bootstrap.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { privacyCommand } from '../../src/cli/privacy.ts';
import { seedContact, type SeededContact } from './seed.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-cli-'));
const env = {
  PAGESCOPE_DATA_DIR: dataDir,
  PAGESCOPE_MASTER_KEY: randomBytes(32).toString('base64'),
  PAGESCOPE_RETENTION_MESSAGE_TEXT_DAYS: '30',
};
let person!: SeededContact;
const saved = { ...process.env };

/** Runs `pagescope privacy …` in-process with --json and returns the one JSON object it printed. */
async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    const program = new Command('pagescope').option('--json').option('--data-dir <dir>').exitOverride();
    program.addCommand(privacyCommand());
    await program.parseAsync(['node', 'pagescope', '--json', 'privacy', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out.join('')) as Record<string, unknown>;
}

before(async () => {
  Object.assign(process.env, env, { LOG_LEVEL: 'silent' });
  const config = loadConfig(process.env);
  await initialise(config, { env: process.env, logger: createLogger('silent') });
  const ctx = await openApp(config, { env: process.env, logger: createLogger('silent') });
  person = await seedContact(ctx, { contactLayer: true, at: Date.now() - 40 * 24 * 60 * 60 * 1000 });
  await ctx.close();
});
after(() => {
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

test('privacy request --now runs an access request and status reports it completed', async () => {
  const r = await cli('request', '--type', 'access', '--contact', person.contactId, '--now');
  assert.equal(r.status, 'completed');
  assert.equal((await cli('status', String(r.id))).status, 'completed');
});

test('privacy export writes the decrypted export to a private file', async () => {
  const [req] = await (async () => {
    const ctx = await openApp(loadConfig(process.env), { env: process.env, logger: createLogger('silent') });
    try {
      return await ctx.db.selectFrom('privacy_requests').select('id').execute();
    } finally {
      await ctx.close();
    }
  })();
  const file = join(dataDir, 'export.json');
  await cli('export', req!.id, '--out', file);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).psid, person.psid);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('privacy retention --dry-run lists what would go', async () => {
  const r = await cli('retention', '--dry-run');
  const jobs = r.jobs as { job: string; counts: Record<string, number> }[];
  assert.deepEqual(jobs.find((j) => j.job === 'message-text')?.counts, {
    messages: 2,
    contact_events: 0,
    deliveries: 1,
  });
  const again = (await cli('retention', '--dry-run')).jobs as typeof jobs;
  assert.deepEqual(
    again.map((j) => j.counts),
    jobs.map((j) => j.counts),
    'and changed nothing',
  );
});

test('privacy request --type erasure --now erases the contact', async () => {
  const r = await cli('request', '--type', 'erasure', '--contact', person.contactId, '--now');
  assert.equal(r.status, 'completed');
  assert.equal((r.result as { key_destroyed: boolean }).key_destroyed, true);
});
