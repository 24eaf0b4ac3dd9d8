import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { exitOf, runCli, startCli } from '../support/cli.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'pagescope-cli-'));

test('init --json creates a 0600 key file and prints a one-time owner token; a second init is refused', async () => {
  const d = dir();
  try {
    const r = await runCli(['--data-dir', d, 'init', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.owner_token, /^psk_[A-Za-z0-9_-]{32}$/);
    assert.equal(out.data_dir, d);
    assert.equal(statSync(join(d, 'master.key')).mode & 0o777, 0o600);
    const again = await runCli(['--data-dir', d, 'init']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already initialised/);
    assert.equal(again.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('serve starts, answers /readyz and a valid OpenAPI 3.1 document, and exits 0 on SIGTERM', async () => {
  const d = dir();
  try {
    const init = JSON.parse((await runCli(['--data-dir', d, 'init', '--json'])).stdout);
    const { child, match } = await startCli(
      ['--data-dir', d, 'serve', '--port', '0'],
      { META_APP_SECRET: 's3cret' },
      /listening on (http:\/\/\S+)/,
    );
    const base = match[1]!;
    // Ready once the thread that stores webhooks has started.
    let ready = await fetch(`${base}/readyz`);
    while (ready.status === 503 && (await ready.text()).includes('_starting')) ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { openapi: string } & Record<
      string,
      unknown
    >;
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    const docs = await fetch(`${base}/api/docs/`);
    assert.equal(docs.status, 200);
    const pages = await fetch(`${base}/api/v1/pages`, { headers: { authorization: `Bearer ${init.owner_token}` } });
    assert.equal(pages.status, 200);
    assert.ok(pages.headers.get('x-content-type-options'));
    child.kill('SIGTERM');
    assert.equal(await exitOf(child), 0);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a wrong master key stops start-up with one clear line, before anything is served', async () => {
  const d = dir();
  try {
    const key = randomBytes(32).toString('base64');
    assert.equal((await runCli(['--data-dir', d, 'init', '--json'], { PAGESCOPE_MASTER_KEY: key })).code, 0);
    const other = randomBytes(32).toString('base64');
    const r = await runCli(['--data-dir', d, 'serve', '--port', '0'], { PAGESCOPE_MASTER_KEY: other });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /master key/i);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a bad setting names the variable and the fix; a usage error exits 2', async () => {
  const bad = await runCli(['pages', 'list'], { PORT: 'eighty' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /PORT: must be a whole number/);
  const usage = await runCli(['tokens', 'create', '--name', 'x']);
  assert.equal(usage.code, 2);
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
});

test('pages add, pages list and tokens create print one JSON object with --json', async () => {
  const d = dir();
  try {
    await runCli(['--data-dir', d, 'init', '--json']);
    const add = await runCli([
      '--data-dir',
      d,
      'pages',
      'add',
      '--id',
      '1234567',
      '--name',
      'Demo',
      '--token',
      'EAA-demo-token',
      '--no-verify',
      '--json',
    ]);
    assert.deepEqual(JSON.parse(add.stdout), {
      id: '1234567',
      name: 'Demo',
      status: 'active',
      created: true,
      verified: false,
    });
    const list = JSON.parse((await runCli(['--data-dir', d, 'pages', 'list', '--json'])).stdout);
    assert.deepEqual(
      list.data.map((p: { id: string }) => p.id),
      ['1234567'],
    );
    const tok = JSON.parse(
      (
        await runCli([
          '--data-dir',
          d,
          'tokens',
          'create',
          '--name',
          'agent',
          '--role',
          'agent',
          '--page',
          '1234567',
          '--json',
        ])
      ).stdout,
    );
    assert.match(tok.id, /^tok_/);
    assert.match(tok.token, /^psk_/);
    const badPage = await runCli([
      '--data-dir',
      d,
      'tokens',
      'create',
      '--name',
      'agent',
      '--role',
      'agent',
      '--page',
      '999',
      '--json',
    ]);
    assert.equal(badPage.code, 1);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
