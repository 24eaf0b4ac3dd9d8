import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGraphClient, type GraphClient } from './graph-client.ts';
import { appSecretProof, GraphError } from './graph-transport.ts';

type Seen = { method: string; path: string; query: URLSearchParams; authorization?: string; body: unknown };
type Reply = { status: number; body: string; delayMs?: number };

const TOKEN = 'EAAGpagetoken0123456789secret';
const SECRET = 'app-secret';
const PSID = '1254459154682919';
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let replies: Reply[] = [];
let connections = 0;

before(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        body: raw ? JSON.parse(raw) : undefined,
      });
      const reply = replies.shift() ?? { status: 500, body: 'no reply scripted' };
      setTimeout(
        () => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body),
        reply.delayMs ?? 0,
      );
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => resolve(data));
  });
}

function client(overrides: { appSecret?: string; timeoutMs?: number } = {}): GraphClient {
  seen = [];
  return createGraphClient({
    baseUrl,
    version: 'v25.0',
    timeoutMs: overrides.timeoutMs ?? 2000,
    ...(overrides.appSecret && { appSecret: overrides.appSecret }),
  });
}

function script(...next: Reply[]) {
  replies = next;
}

const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) });

async function rejection(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GraphError, `expected a GraphError, got ${String(error)}`);
  assert.ok(!error.message.includes(TOKEN), 'the token leaked into the message');
  assert.ok(!error.message.includes(PSID), 'the PSID leaked into the message');
  return error;
}

test('a message is sent to /{version}/me/messages with the token in a header and the proof in the query', async () => {
  const graph = client({ appSecret: SECRET });
  script(json(200, { recipient_id: PSID, message_id: 'm_abc' }));
  const body = { recipient: { id: PSID }, messaging_type: 'RESPONSE' as const, message: { text: 'Hello' } };
  assert.deepEqual(await graph.sendMessage(TOKEN, body), { messageId: 'm_abc', recipientId: PSID });
  const [request] = seen;
  assert.deepEqual(
    [request?.method, request?.path, request?.authorization],
    ['POST', '/v25.0/me/messages', `Bearer ${TOKEN}`],
  );
  assert.equal(request?.query.get('appsecret_proof'), appSecretProof(TOKEN, SECRET));
  assert.equal(request?.query.get('access_token'), null);
  assert.deepEqual(request?.body, body);
});

test('each Page token carries its own proof, call after call', async () => {
  const graph = client({ appSecret: SECRET });
  const tokens = [TOKEN, 'EAAGotherpage987', TOKEN, 'EAAGotherpage987'];
  script(...tokens.map(() => json(200, { recipient_id: PSID, message_id: 'm_x' })));
  for (const t of tokens)
    await graph.sendMessage(t, { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Hi' } });
  assert.deepEqual(
    seen.map((r) => r.query.get('appsecret_proof')),
    tokens.map((t) => appSecretProof(t, SECRET)),
  );
});

test('the appsecret_proof is the HMAC-SHA256 of the token keyed by the secret', () => {
  // Computed independently: printf %s token | openssl dgst -sha256 -hmac secret
  assert.equal(appSecretProof('token', 'secret'), 'e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a');
});

test('without an app secret no proof is sent', async () => {
  const graph = client();
  script(json(200, { id: '101', name: 'Demo Page' }));
  assert.deepEqual(await graph.getMe(TOKEN), { id: '101', name: 'Demo Page' });
  assert.equal(seen[0]?.query.has('appsecret_proof'), false);
  assert.equal(seen[0]?.path, '/v25.0/me');
});

test('a user_ref send resolves without a recipient id, as Meta answers', async () => {
  const graph = client();
  script(json(200, { message_id: 'm_u' }));
  assert.deepEqual(await graph.sendMessage(TOKEN, { recipient: { user_ref: 'ref' }, message: { text: 'x' } }), {
    messageId: 'm_u',
  });
});

test('a Graph error rejects with its classification and without the token or PSID in the message', async () => {
  const graph = client();
  script(
    json(400, {
      error: {
        message: `(#551) This person isn't available right now. ${PSID} ${TOKEN}`,
        type: 'OAuthException',
        code: 551,
        error_subcode: 1545041,
        fbtrace_id: 'G3GRmtpZiq6',
      },
    }),
  );
  const error = await rejection(graph.sendMessage(TOKEN, { recipient: { id: PSID }, message: { text: 'x' } }));
  assert.deepEqual(
    [error.classification.kind, error.classification.retry, error.classification.code, error.operation],
    ['unreachable', false, 551, 'send_message'],
  );
});

test('a 5xx without a Graph body is a transient error', async () => {
  const graph = client();
  script({ status: 503, body: '<html>unavailable</html>' });
  const error = await rejection(graph.getMe(TOKEN));
  assert.deepEqual(
    [error.classification.kind, error.classification.retry, error.classification.httpStatus],
    ['transient', true, 503],
  );
});

test('a slow answer times out as a retryable error', async () => {
  const graph = client({ timeoutMs: 50 });
  script({ ...json(200, { id: '1' }), delayMs: 500 });
  const error = await rejection(graph.getMe(TOKEN));
  assert.deepEqual([error.classification.stableCode, error.classification.retry], ['meta_timeout', true]);
});

test('an unreachable server is a retryable network error', async () => {
  const graph = createGraphClient({ baseUrl: 'http://127.0.0.1:9', version: 'v25.0', timeoutMs: 2000 });
  const error = await rejection(graph.getMe(TOKEN));
  assert.deepEqual([error.classification.stableCode, error.classification.retry], ['meta_network_error', true]);
});

test('a 200 that is not JSON, or not the expected shape, is a final error', async () => {
  const graph = client();
  script({ status: 200, body: 'oops' }, json(200, { recipient_id: PSID }));
  assert.equal((await rejection(graph.getMe(TOKEN))).classification.stableCode, 'meta_invalid_response');
  const error = await rejection(graph.sendMessage(TOKEN, { recipient: { id: PSID }, message: { text: 'x' } }));
  assert.deepEqual([error.classification.stableCode, error.classification.retry], ['meta_invalid_response', false]);
});

test('a sender action posts recipient and sender_action only', async () => {
  const graph = client();
  script(json(200, { recipient_id: PSID }));
  await graph.sendSenderAction(TOKEN, PSID, 'typing_on');
  assert.deepEqual(seen[0]?.body, { recipient: { id: PSID }, sender_action: 'typing_on' });
});

test('a profile is fetched with the requested fields', async () => {
  const graph = client();
  script(json(200, { first_name: 'Peter', last_name: 'Chang', locale: 'en_US', timezone: -7 }));
  assert.deepEqual(await graph.getUserProfile(TOKEN, PSID, ['first_name', 'last_name', 'locale', 'timezone']), {
    first_name: 'Peter',
    last_name: 'Chang',
    locale: 'en_US',
    timezone: -7,
  });
  assert.deepEqual(
    [seen[0]?.path, seen[0]?.query.get('fields')],
    [`/v25.0/${PSID}`, 'first_name,last_name,locale,timezone'],
  );
});

test('a profile refused for lack of permission is classified as such', async () => {
  const graph = client();
  script(
    json(400, {
      error: {
        message: `Unsupported get request. Object with ID '${PSID}' does not exist`,
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
      },
    }),
  );
  assert.equal(
    (await rejection(graph.getUserProfile(TOKEN, PSID, ['name']))).classification.kind,
    'no_profile_permission',
  );
});

test('ids_for_pages follows the cursor to the last page', async () => {
  const graph = client({ appSecret: SECRET });
  script(
    json(200, {
      data: [{ id: '12345123', page: { id: '380374449010653', name: "John's Next Great Thing" } }],
      paging: { cursors: { after: 'NDAw' }, next: 'https://graph/next' },
    }),
    json(200, { data: [{ id: '777', page: { id: '888' } }], paging: { cursors: { before: 'x', after: 'y' } } }),
  );
  assert.deepEqual(await graph.idsForPages(TOKEN, PSID), [
    { id: '12345123', scope: { id: '380374449010653', name: "John's Next Great Thing" } },
    { id: '777', scope: { id: '888' } },
  ]);
  assert.deepEqual(
    seen.map((s) => [s.path, s.query.get('after')]),
    [
      [`/v25.0/${PSID}/ids_for_pages`, null],
      [`/v25.0/${PSID}/ids_for_pages`, 'NDAw'],
    ],
  );
});

test('ids_for_apps reads app scopes', async () => {
  const graph = client();
  script(json(200, { data: [{ id: '10152368852405295', app: { id: '1419232575008550', name: "John's Game App" } }] }));
  assert.deepEqual(await graph.idsForApps(TOKEN, PSID), [
    { id: '10152368852405295', scope: { id: '1419232575008550', name: "John's Game App" } },
  ]);
});

test('subscribing the app posts the fields to the Page edge and accepts the string "true"', async () => {
  const graph = client();
  script(json(200, { success: 'true' }));
  await graph.subscribeApp('101', TOKEN, ['messages', 'messaging_postbacks']);
  assert.deepEqual(
    [seen[0]?.method, seen[0]?.path, seen[0]?.query.get('subscribed_fields')],
    ['POST', '/v25.0/101/subscribed_apps', 'messages,messaging_postbacks'],
  );
});

test('thread control calls post the recipient and resolve on success', async () => {
  const graph = client();
  script(json(200, { success: true }), json(200, { success: true }), json(200, { success: true }));
  await graph.passThreadControl(TOKEN, PSID, '263902037430900', 'to inbox');
  await graph.takeThreadControl(TOKEN, PSID);
  await graph.releaseThreadControl(TOKEN, PSID);
  assert.deepEqual(
    seen.map((s) => [s.path, s.body]),
    [
      [
        '/v25.0/me/pass_thread_control',
        { recipient: { id: PSID }, target_app_id: '263902037430900', metadata: 'to inbox' },
      ],
      ['/v25.0/me/take_thread_control', { recipient: { id: PSID } }],
      ['/v25.0/me/release_thread_control', { recipient: { id: PSID } }],
    ],
  );
});

test('a thread owned by another app is reported as such', async () => {
  const graph = client();
  script(
    json(400, {
      error: {
        message: '(#10) Message failed to send because another app is controlling this thread now.',
        type: 'OAuthException',
        code: 10,
        error_subcode: 2018300,
      },
    }),
  );
  assert.equal((await rejection(graph.takeThreadControl(TOKEN, PSID))).classification.kind, 'thread_owned');
});

test('calls reuse their connections (keep-alive): one for calls in sequence, no new ones for a second burst', async () => {
  const graph = client();
  const before = connections;
  const body = { recipient: { id: PSID }, message: { text: 'x' } };
  for (let i = 0; i < 5; i++) {
    script(json(200, { message_id: `m_${i}` }));
    await graph.sendMessage(TOKEN, body);
  }
  assert.equal(connections - before, 1);
  const burst = async () => {
    script(...Array.from({ length: 8 }, (_, i) => ({ ...json(200, { message_id: `m_b${i}` }), delayMs: 20 })));
    await Promise.all(Array.from({ length: 8 }, () => graph.sendMessage(TOKEN, body)));
  };
  await burst();
  const afterFirst = connections;
  assert.ok(afterFirst - before <= 8);
  await burst();
  assert.equal(connections, afterFirst);
});

/** A server that starts a 200 answer and then, if `cutAfterMs`, drops the connection, else stalls. */
async function halfAnswer(cutAfterMs: number | null, timeoutMs: number): Promise<GraphError> {
  const half = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"message_id":');
    if (cutAfterMs !== null) setTimeout(() => res.socket?.destroy(), cutAfterMs);
  });
  await new Promise<void>((resolve) => half.listen(0, '127.0.0.1', resolve));
  try {
    const graph = createGraphClient({
      baseUrl: `http://127.0.0.1:${(half.address() as AddressInfo).port}`,
      version: 'v25.0',
      timeoutMs,
    });
    return await rejection(graph.sendMessage(TOKEN, { recipient: { id: PSID }, message: { text: 'x' } }));
  } finally {
    half.closeAllConnections();
    half.close();
  }
}

test('an answer cut off before its end is a retryable network error', async () => {
  const error = await halfAnswer(10, 2000);
  assert.deepEqual([error.classification.stableCode, error.classification.retry], ['meta_network_error', true]);
});

test('an answer that begins and then stalls times out as a retryable error', async () => {
  const error = await halfAnswer(null, 100);
  assert.deepEqual([error.classification.stableCode, error.classification.retry], ['meta_timeout', true]);
});

test('utility templates: created, listed with Meta’s status and reason, deleted by hsm_id or name', async () => {
  const graph = client();
  const template = {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY' as const,
    components: [{ type: 'BODY', text: 'Your order has shipped.' }],
  };
  script(
    json(200, { id: '5551', status: 'PENDING', category: 'UTILITY' }),
    json(200, {
      data: [
        { id: '5551', name: 'order_update', language: 'en_US', status: 'REJECTED', rejected_reason: 'PROMOTIONAL' },
        { id: '5552', name: 'order_update', language: 'pt_BR', status: 'APPROVED' },
      ],
    }),
    json(200, { success: true }),
    json(200, { success: true }),
  );
  assert.deepEqual(await graph.createMessageTemplate('101', TOKEN, template), { id: '5551', status: 'PENDING' });
  assert.deepEqual(await graph.listMessageTemplates('101', TOKEN, 'order_update'), [
    { id: '5551', name: 'order_update', language: 'en_US', status: 'REJECTED', rejectedReason: 'PROMOTIONAL' },
    { id: '5552', name: 'order_update', language: 'pt_BR', status: 'APPROVED' },
  ]);
  await graph.deleteMessageTemplate('101', TOKEN, { hsmId: '5551' });
  await graph.deleteMessageTemplate('101', TOKEN, { name: 'order_update' });
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.path}?${r.query.toString()}`),
    [
      'POST /v25.0/101/message_templates?',
      'GET /v25.0/101/message_templates?name=order_update',
      'DELETE /v25.0/101/message_templates?hsm_id=5551',
      'DELETE /v25.0/101/message_templates?name=order_update',
    ],
  );
  assert.deepEqual(seen[0]?.body, template);
});

test('the Messenger profile is set with one POST and cleared with one DELETE naming the fields', async () => {
  const graph = client();
  script(json(200, { result: 'success' }), json(200, { result: 'success' }), json(200, { data: [] }));
  await graph.setMessengerProfile(TOKEN, { get_started: { payload: 'GO' } });
  await graph.deleteMessengerProfile(TOKEN, ['ice_breakers', 'greeting']);
  assert.deepEqual(
    seen.map((r) => [r.method, r.path, r.body]),
    [
      ['POST', '/v25.0/me/messenger_profile', { get_started: { payload: 'GO' } }],
      ['DELETE', '/v25.0/me/messenger_profile', { fields: ['ice_breakers', 'greeting'] }],
    ],
  );
  const odd = await rejection(graph.setMessengerProfile(TOKEN, { greeting: [] }));
  assert.equal(odd.classification.stableCode, 'meta_invalid_response');
});
