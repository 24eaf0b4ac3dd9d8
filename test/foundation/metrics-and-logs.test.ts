// Metrics an operator can scrape under sensible names, keep private, and logs a person can read at a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createServerLogger } from '../../src/lib/logger.ts';
import { createTestApp } from '../support/app.ts';
import { exitOf, runCli, startCli } from '../support/cli.ts';

const TOKEN = 'metrics-token-0123456789';

test('process metrics carry the pagescope_ prefix once', async () => {
  const app = await createTestApp('sqlite');
  try {
    const text = (await app.server.inject({ url: '/metrics' })).body;
    assert.match(text, /^pagescope_process_cpu_user_seconds_total /m);
    assert.match(text, /^pagescope_nodejs_eventloop_lag_seconds /m);
    assert.doesNotMatch(text, /pagescope_process_process_|pagescope_process_nodejs_/);
  } finally {
    await app.close();
  }
});

test('with PAGESCOPE_METRICS_TOKEN, /metrics answers only that bearer token', async () => {
  const app = await createTestApp('sqlite', { env: { PAGESCOPE_METRICS_TOKEN: TOKEN } });
  try {
    const none = await app.server.inject({ url: '/metrics' });
    assert.equal(none.statusCode, 401);
    assert.match(none.json().error.message, /PAGESCOPE_METRICS_TOKEN/);
    assert.equal(
      (await app.server.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } }))
        .statusCode,
      401,
    );
    const ok = await app.server.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /pagescope_http_requests_total/);
  } finally {
    await app.close();
  }
});

test('bad metrics and log settings stop start-up naming the variable', () => {
  assert.throws(
    () => loadConfig({ PAGESCOPE_METRICS_TOKEN: 'short' }),
    (e: unknown) => e instanceof ConfigError && e.variable === 'PAGESCOPE_METRICS_TOKEN',
  );
  assert.throws(
    () => loadConfig({ PAGESCOPE_METRICS_LISTEN: 'localhost:99999' }),
    (e: unknown) => e instanceof ConfigError && e.variable === 'PAGESCOPE_METRICS_LISTEN',
  );
  assert.throws(
    () => loadConfig({ LOG_FORMAT: 'xml' }),
    (e: unknown) => e instanceof ConfigError && e.variable === 'LOG_FORMAT',
  );
  assert.deepEqual(loadConfig({ PAGESCOPE_METRICS_LISTEN: '9464' }).metrics?.listen, { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(loadConfig({ PAGESCOPE_METRICS_LISTEN: '[::1]:9464' }).metrics?.listen, { host: '::1', port: 9464 });
});

test(
  'with PAGESCOPE_METRICS_LISTEN, serve answers /metrics on that address only (token still required)',
  { timeout: 120_000 },
  async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-metrics-'));
    try {
      assert.equal((await runCli(['--data-dir', d, 'init'])).code, 0);
      const env = {
        META_APP_SECRET: 's',
        META_VERIFY_TOKEN: 'v',
        PAGESCOPE_METRICS_LISTEN: '127.0.0.1:0',
        PAGESCOPE_METRICS_TOKEN: TOKEN,
      };
      const { child, output } = await startCli(
        ['--data-dir', d, 'serve', '--port', '0'],
        env,
        /metrics on http:\/\/\S+/,
        60_000,
      );
      try {
        const base = /listening on (http:\/\/\S+)/.exec(output())![1]!;
        const metricsUrl = /metrics on (http:\/\/\S+)/.exec(output())![1]!;
        assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
        assert.equal((await fetch(metricsUrl)).status, 401);
        const ok = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(ok.status, 200);
        assert.match(await ok.text(), /^pagescope_process_cpu_user_seconds_total /m);
      } finally {
        child.kill('SIGTERM');
        assert.equal(await exitOf(child), 0);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);

/** A stream that records what is written, a terminal or not. */
function sink(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  return { isTTY, write: (s: string) => ((text += s), true), text: () => text } as unknown as NodeJS.WriteStream & {
    text: () => string;
  };
}

test('the server logs readable lines on a terminal and JSON lines when asked or when not a terminal', () => {
  const cases: [format: 'auto' | 'json' | 'pretty', tty: boolean, json: boolean][] = [
    ['auto', true, false],
    ['auto', false, true],
    ['json', true, true],
    ['pretty', false, false],
  ];
  for (const [format, tty, json] of cases) {
    const out = sink(tty);
    createServerLogger('info', format, out).warn({ role: 'all', token: 'psk_secret' }, 'something to see');
    const line = out.text().trim();
    if (json) {
      const o = JSON.parse(line) as { msg: string; level: number };
      assert.equal(o.msg, 'something to see', `${format}/${tty}`);
    } else {
      assert.match(
        line,
        /^\d\d:\d\d:\d\d WARN {2}something to see {2}role=all token=\[redacted\]$/,
        `${format}/${tty}`,
      );
    }
    assert.doesNotMatch(line, /psk_secret/);
  }
});

test(
  'serve logs JSON lines when its output is not a terminal, readable ones with LOG_FORMAT=pretty',
  { timeout: 120_000 },
  async () => {
    const d = mkdtempSync(join(tmpdir(), 'pagescope-logs-'));
    try {
      assert.equal((await runCli(['--data-dir', d, 'init'])).code, 0);
      for (const [format, json] of [
        [undefined, true],
        ['pretty', false],
      ] as const) {
        const env: Record<string, string> = {
          META_APP_SECRET: 's',
          LOG_LEVEL: 'warn',
          ...(format ? { LOG_FORMAT: format } : {}),
        };
        const { child, output } = await startCli(
          ['--data-dir', d, 'serve', '--port', '0'],
          env,
          /listening on/,
          60_000,
        );
        child.kill('SIGTERM');
        assert.equal(await exitOf(child), 0);
        const warning = output()
          .split('\n')
          .find((l) => l.includes('META_VERIFY_TOKEN is not set'))!;
        assert.ok(warning, output());
        if (json) assert.equal((JSON.parse(warning) as { level: number }).level, 40);
        else assert.match(warning, /^\d\d:\d\d:\d\d WARN {2}META_VERIFY_TOKEN is not set/);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  },
);
