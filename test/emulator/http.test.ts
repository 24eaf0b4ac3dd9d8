// The emulator over real HTTP: control API routes from CONTRACT.md, Graph answers in Meta's serialisation,
// webhooks POSTed to a real server, and the `pagescope emulator` command.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createEmulator, startEmulatorServer, verifySignature256 } from '../../src/emulator/index.ts';
import { RUN_TS } from '../support/run-ts.ts';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
const receiver = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'GET') {
    const ok = url.searchParams.get('hub.verify_token') === 'vt';
    res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : '');
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end('EVENT_RECEIVED');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
const server = await startEmulatorServer({
  appSecret: 'http-secret',
  verifyToken: 'vt',
  clockMode: 'frozen',
  clockStart: Date.UTC(2026, 10, 28),
});
after(async () => {
  await server.close();
  receiver.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: Body; headers: Headers }> {
  const res = await fetch(server.url + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text), headers: res.headers };
}

test('the control API sets the webhook after the handshake, creates Pages and people, and acts', async () => {
  const hook = await call('POST', '/_emulator/webhook', { url: hookUrl });
  assert.equal(hook.json.ok, true);
  const page = await call('POST', '/_emulator/pages', { name: 'Café' });
  assert.equal(page.status, 201);
  assert.match(page.json.access_token, /^EAA/);
  const user = await call('POST', '/_emulator/users', {
    first_name: 'Zoë',
    last_name: 'Lopez',
    locale: 'es_ES',
    timezone: 1,
  });
  assert.equal(user.status, 201);
  const acted = await call('POST', `/_emulator/users/${user.json.id}/actions`, {
    page_id: page.json.id,
    type: 'message',
    text: 'Hola 👋',
  });
  assert.equal(acted.status, 200);
  assert.equal(acted.json.deliveries[0].status, 200);
  const last = received.at(-1)!;
  assert.equal(verifySignature256('http-secret', last.body, last.headers['x-hub-signature-256'] as string), true);
  assert.match(last.headers['x-hub-signature'] as string, /^sha1=[0-9a-f]{40}$/);
  assert.ok(last.body.includes('Hola \\ud83d\\udc4b'));
  const psid = await call('GET', `/_emulator/psid?user_id=${user.json.id}&page_id=${page.json.id}`);
  assert.equal(psid.json.psid, acted.json.psid);

  const sent = await fetch(`${server.url}/v25.0/me/messages?access_token=${page.json.access_token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      recipient: { id: psid.json.psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Gracias / thanks' },
    }),
  });
  assert.equal(sent.status, 200);
  assert.equal(sent.headers.get('facebook-api-version'), 'v25.0');
  assert.match(sent.headers.get('x-fb-trace-id') ?? '', /^[A-Za-z0-9_-]{11,}$/);
  const inbox = await call('GET', `/_emulator/users/${user.json.id}/inbox?page_id=${page.json.id}`);
  assert.equal(inbox.json.data[0].text, 'Gracias / thanks');

  const clock = await call('POST', '/_emulator/clock', { advance_ms: 86_400_001 });
  assert.equal(clock.json.now, Date.UTC(2026, 10, 28) + 86_400_001);
  const late = await fetch(`${server.url}/v25.0/me/messages?access_token=${page.json.access_token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipient: { id: psid.json.psid }, message: { text: 'late' } }),
  });
  assert.equal(late.status, 400);
  const lateText = await late.text();
  assert.ok(lateText.includes('https:\\/\\/developers.facebook.com'), 'Graph answers escape slashes like Meta');

  await call('POST', '/_emulator/flush');
  const deliveries = await call('GET', '/_emulator/deliveries');
  assert.ok(deliveries.json.data.length >= 3);
  assert.ok(deliveries.json.data.every((d: Body) => typeof d.latency_ms === 'number' && d.status === 200));
  const calls = await call('GET', '/_emulator/calls');
  assert.deepEqual(
    calls.json.data.map((c: Body) => c.status),
    [200, 400],
  );
});

test('the control API answers bad input with a clear error and the right status', async () => {
  assert.equal((await call('POST', '/_emulator/pages', {})).status, 400);
  assert.equal(
    (await call('POST', '/_emulator/users/404/actions', { page_id: 'x', type: 'message', text: 'x' })).status,
    404,
  );
  assert.equal((await call('POST', '/_emulator/clock', { advance_ms: -5 })).status, 400);
  assert.equal((await call('GET', '/_emulator/nothing')).status, 404);
  const user = await call('POST', '/_emulator/users', { first_name: 'A', last_name: 'B' });
  const page = await call('POST', '/_emulator/pages', { name: 'P' });
  const read = await call('POST', `/_emulator/users/${user.json.id}/actions`, { page_id: page.json.id, type: 'read' });
  assert.equal(read.status, 409);
});

test('`pagescope emulator --json` prints {"url"} and serves until SIGTERM', async () => {
  const script = new URL('./run-emulator-cli.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [...RUN_TS, script, 'emulator', '--port', '0', '--app-secret', 's', '--webhook', hookUrl, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const res = await fetch(`${url}/_emulator`);
  assert.equal(res.status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('a webhook URL that is not a URL is a usage error (exit 2)', async () => {
  const script = new URL('./run-emulator-cli.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [...RUN_TS, script, 'emulator', '--app-secret', 's', '--webhook', 'not a url'],
    { stdio: 'ignore' },
  );
  assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 2);
});

test('over real HTTP, a slow webhook answer times out and a 500 is retried at once', async () => {
  let calls = 0;
  const slow = http.createServer((req, res) => {
    calls++;
    if (req.url === '/slow') setTimeout(() => res.end('late'), 1000).unref();
    else res.writeHead(calls < 2 ? 500 : 200).end();
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  const emu = createEmulator({
    clockMode: 'frozen',
    webhookUrl: `${base}/slow`,
    delivery: { timeoutMs: 100, immediateRetries: 0 },
  });
  const page = emu.createPage({ name: 'P' });
  const user = emu.createUser({ first_name: 'A', last_name: 'B' });
  const timedOut = await emu.user(user.id).says(page.id, 'hello');
  assert.equal(timedOut.deliveries[0]!.ok, false);
  assert.match(timedOut.deliveries[0]!.error ?? '', /timed out after 100 ms/);
  emu.options.webhookUrl = `${base}/flaky`;
  calls = 0;
  const retried = await emu.user(user.id).says(page.id, 'again');
  assert.deepEqual(
    retried.deliveries.map((d) => d.status),
    [500],
  );
  const emu2 = createEmulator({ clockMode: 'frozen', webhookUrl: `${base}/flaky`, delivery: { immediateRetries: 2 } });
  const p2 = emu2.createPage({ name: 'P' });
  const u2 = emu2.createUser({ first_name: 'A', last_name: 'B' });
  calls = 0;
  assert.deepEqual(
    (await emu2.user(u2.id).says(p2.id, 'x')).deliveries.map((d) => d.status),
    [500, 200],
  );
  emu.close();
  emu2.close();
  slow.closeAllConnections();
  slow.close();
});
