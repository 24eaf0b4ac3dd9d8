// The language model as a local HTTP server that plays it: tool calls it may make, and the ways a model fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { askLanguageModel, type LanguageModelConfig } from './language-model.ts';

type Play = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

const toolCall = (name: string, args: unknown) => ({
  choices: [
    {
      message: {
        role: 'assistant',
        tool_calls: [{ type: 'function', function: { name, arguments: JSON.stringify(args) } }],
      },
    },
  ],
});
const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('the language model behind the assistant', () => {
  let server!: Server;
  let play: Play = () => {};
  const seen: { body: Record<string, unknown>; headers: IncomingMessage['headers']; url: string }[] = [];
  const held: ServerResponse[] = [];
  let config!: LanguageModelConfig;
  const entries = [
    { id: 'faq_hours', question: 'When are you open?' },
    { id: 'faq_returns', question: 'How do I return an item?' },
  ];

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        seen.push({ body, headers: req.headers, url: req.url ?? '' });
        play(body, req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    config = { url: `http://127.0.0.1:${port}/v1`, model: 'stub-1', apiKey: 'sk-test', timeoutMs: 10_000 };
  });
  after(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('asks with the message, the entries by id and three tools, and takes a faq_lookup of a known id', async () => {
    play = (_b, _r, res) => json(res, 200, toolCall('faq_lookup', { faq_id: 'faq_returns' }));
    const out = await askLanguageModel(config, 'can I send the shoes back?', entries);
    assert.deepEqual(out, { ok: true, choice: { tool: 'faq_lookup', faqId: 'faq_returns' } });
    const last = seen.at(-1)!;
    assert.equal(last.url, '/v1/chat/completions');
    assert.equal(last.headers.authorization, 'Bearer sk-test');
    assert.equal(last.body.model, 'stub-1');
    assert.deepEqual(
      (last.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
      ['faq_lookup', 'contact_orders', 'hand_over'],
    );
    const messages = last.body.messages as { role: string; content: string }[];
    assert.equal(messages.at(-1)!.content, 'can I send the shoes back?');
    assert.match(messages[0]!.content, /faq_returns: How do I return an item\?/);
  });

  it('takes hand_over and contact_orders', async () => {
    play = (_b, _r, res) => json(res, 200, toolCall('hand_over', {}));
    assert.deepEqual(await askLanguageModel(config, 'a human please', entries), {
      ok: true,
      choice: { tool: 'hand_over' },
    });
    play = (_b, _r, res) => json(res, 200, toolCall('contact_orders', {}));
    assert.deepEqual(await askLanguageModel(config, 'my order?', entries), {
      ok: true,
      choice: { tool: 'contact_orders' },
    });
  });

  it('refuses what it did not offer: an invented id, another tool, prose, broken arguments, not JSON', async () => {
    const answers: unknown[] = [
      toolCall('faq_lookup', { faq_id: 'faq_made_up' }),
      toolCall('send_message', { text: 'Sure! Free returns forever.' }),
      { choices: [{ message: { role: 'assistant', content: 'Sure! Free returns forever.' } }] },
      { choices: [{ message: { tool_calls: [{ function: { name: 'faq_lookup', arguments: '{"faq_id":' } }] } }] },
      'not json at all',
      {},
    ];
    for (const answer of answers) {
      play = (_b, _r, res) => (typeof answer === 'string' ? res.writeHead(200).end(answer) : json(res, 200, answer));
      assert.deepEqual(await askLanguageModel(config, 'returns?', entries), { ok: false, failure: 'garbage' });
    }
  });

  it('gives up on an HTTP error, an unreachable endpoint, and a model slower than the timeout', async () => {
    play = (_b, _r, res) => json(res, 500, { error: { message: 'overloaded' } });
    assert.deepEqual(await askLanguageModel(config, 'returns?', entries), { ok: false, failure: 'http_error' });
    assert.deepEqual(await askLanguageModel({ ...config, url: 'http://127.0.0.1:1/v1' }, 'returns?', entries), {
      ok: false,
      failure: 'unreachable',
    });
    const impatient = { ...config, timeoutMs: 300 };
    play = (_b, _r, res) => held.push(res);
    assert.deepEqual(await askLanguageModel(impatient, 'returns?', entries), { ok: false, failure: 'timeout' });
    // A model that starts answering and then stalls times out as well.
    play = (_b, _r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"choices": [');
      held.push(res);
    };
    assert.deepEqual(await askLanguageModel(impatient, 'returns?', entries), { ok: false, failure: 'timeout' });
  });
});
