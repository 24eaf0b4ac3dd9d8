// A suite that needs PostgreSQL or Redis is skipped when its URL is unset. That must never pass unnoticed in CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUN_TS } from '../support/run-ts.ts';

const support = fileURLToPath(new URL('../support/db.ts', import.meta.url));

function dialectsWith(env: Record<string, string>) {
  const script = `import(${JSON.stringify(support)}).then((m) => console.log(m.testDialects().join(',')))`;
  const r = spawnSync(process.execPath, [...RUN_TS, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

test('with CI set, an unset PostgreSQL URL fails the test file instead of skipping its suites', () => {
  const r = dialectsWith({ CI: 'true' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /CI is set but PAGESCOPE_TEST_DATABASE_URL is not/);
});

test('locally, an unset PostgreSQL URL runs SQLite alone and says loudly that PostgreSQL is skipped', () => {
  const r = dialectsWith({});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'sqlite');
  assert.match(r.stderr, /PAGESCOPE_TEST_DATABASE_URL is not set: the PostgreSQL suites of this file are SKIPPED/);
});

test('with the URL set, both databases run and nothing is said', () => {
  const r = dialectsWith({ CI: 'true', PAGESCOPE_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'sqlite,postgres');
  assert.doesNotMatch(r.stderr, /SKIPPED/);
});
