// `init` is all or nothing: one that fails leaves nothing behind (so the next one starts clean), and one aimed at a
// database that another data dir initialised refuses before it writes a key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { closedPort } from '../support/ports.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runCli } from '../support/cli.ts';

const PG_URL = process.env.PAGESCOPE_TEST_DATABASE_URL;

/** The same server as `url`, another database name. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

test('an init that cannot reach its database leaves nothing behind, and the next init starts clean', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'pagescope-init-'));
  const d = join(parent, 'data');
  try {
    const failed = await runCli(['--data-dir', d, 'init'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/pagescope`,
    });
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr);
    assert.equal(existsSync(d), false, `left behind: ${existsSync(d) ? readdirSync(d).join(', ') : ''}`);
    const ok = await runCli(['--data-dir', d, 'init', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const pages = await runCli(['--data-dir', d, 'pages', 'list', '--json']);
    assert.equal(pages.code, 0, pages.stderr);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

describe('init against PostgreSQL', { skip: PG_URL ? false : 'PAGESCOPE_TEST_DATABASE_URL is not set' }, () => {
  const name = `pagescope_init_${randomBytes(4).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: PG_URL });
  before(async () => {
    const c = admin();
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
  });
  after(async () => {
    const c = admin();
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });

  test('a wrong database name fails in one line and leaves an existing empty data dir empty', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-init-'));
    try {
      const r = await runCli(['--data-dir', d, 'init'], { DATABASE_URL: withDatabase(PG_URL!, `${name}_missing`) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`${name}_missing`));
      assert.deepEqual(readdirSync(d), []);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('a new data dir against an initialised database is refused before it writes a key', async () => {
    const first = mkdtempSync(join(tmpdir(), 'pagescope-init-'));
    const second = mkdtempSync(join(tmpdir(), 'pagescope-init-'));
    const env = { DATABASE_URL: withDatabase(PG_URL!, name) };
    try {
      const ok = await runCli(['--data-dir', first, 'init', '--json'], env);
      assert.equal(ok.code, 0, ok.stderr);
      const again = await runCli(['--data-dir', second, 'init'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already initialised/);
      assert.equal(again.stderr.trim().split('\n').length, 1);
      assert.deepEqual(readdirSync(second), []);
      // The first data dir still works against it.
      assert.equal((await runCli(['--data-dir', first, 'pages', 'list'], env)).code, 0);
    } finally {
      rmSync(first, { recursive: true, force: true });
      rmSync(second, { recursive: true, force: true });
    }
  });
});
