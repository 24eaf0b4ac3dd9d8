// Errors say what to do: each names what is wrong and the fix in one line, and scripts asking for --json get it as
// JSON on stdout too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf, runCli, startCli } from '../support/cli.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'pagescope-errors-'));

test('serve --port 99999 is a usage error that blames --port, not PAGESCOPE_PUBLIC_URL', async () => {
  const d = dir();
  try {
    const r = await runCli(['--data-dir', d, 'serve', '--port', '99999']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port/);
    assert.doesNotMatch(r.stderr, /PAGESCOPE_PUBLIC_URL/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a port in use is one line naming the port and the fix, not a raw EADDRINUSE', { timeout: 120_000 }, async () => {
  const d = dir();
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    assert.equal((await runCli(['--data-dir', d, 'init'])).code, 0);
    const r = await runCli(['--data-dir', d, 'serve', '--port', String(port)], {
      META_APP_SECRET: 's',
      META_VERIFY_TOKEN: 'v',
    });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`port ${port} .*in use.*--port`));
    assert.doesNotMatch(r.stderr, /EADDRINUSE/);
  } finally {
    taken.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test('with --json an error is also one JSON object on stdout, with a stable code', async () => {
  const d = dir();
  try {
    const notInit = await runCli(['--data-dir', d, 'pages', 'list', '--json']);
    assert.equal(notInit.code, 1);
    const body = JSON.parse(notInit.stdout) as { error: { code: string; message: string } };
    assert.match(body.error.code, /^[a-z_]+$/);
    assert.ok(body.error.message.length > 0);
    assert.equal(notInit.stderr.trim().split('\n').length, 1);

    const usage = await runCli(['--data-dir', d, '--json', 'serve', '--port', 'x']);
    assert.equal(usage.code, 2);
    assert.equal((JSON.parse(usage.stdout) as { error: { code: string } }).error.code, 'usage');

    const config = await runCli(['--data-dir', d, 'pages', 'list', '--json'], { LOG_LEVEL: 'loud' });
    assert.equal(config.code, 1);
    const c = JSON.parse(config.stdout) as { error: { code: string; message: string } };
    assert.equal(c.error.code, 'config_invalid');
    assert.match(c.error.message, /LOG_LEVEL/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('serve without META_VERIFY_TOKEN warns at start that the handshake will fail', { timeout: 120_000 }, async () => {
  const d = dir();
  try {
    assert.equal((await runCli(['--data-dir', d, 'init'])).code, 0);
    const { child, output } = await startCli(
      ['--data-dir', d, 'serve', '--port', '0'],
      { META_APP_SECRET: 's' },
      /listening on/,
      60_000,
    );
    child.kill('SIGTERM');
    assert.equal(await exitOf(child), 0);
    assert.match(output(), /META_VERIFY_TOKEN is not set/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
