import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseParams } from './request.ts';

test('a JSON body is merged over the query string', () => {
  const p = parseParams({
    method: 'POST',
    path: '/x',
    query: { access_token: 't', a: '1' },
    body: '{"a":2,"recipient":{"id":"9"}}',
  });
  assert.deepEqual(p, { access_token: 't', a: 2, recipient: { id: '9' } });
});

test('form fields and query values holding JSON objects are decoded, single quotes included', () => {
  const body = `recipient=${encodeURIComponent("{'id':'123'}")}&message=${encodeURIComponent('{"text":"a b"}')}&messaging_type=RESPONSE`;
  assert.deepEqual(parseParams({ method: 'POST', path: '/x', body }), {
    recipient: { id: '123' },
    message: { text: 'a b' },
    messaging_type: 'RESPONSE',
  });
  assert.deepEqual(parseParams({ method: 'POST', path: '/x', query: { recipient: '{"id":"5"}' } }), {
    recipient: { id: '5' },
  });
});

test('plain strings stay strings and broken JSON bodies are a Graph error', () => {
  assert.deepEqual(parseParams({ method: 'GET', path: '/x', query: { fields: 'first_name,last_name' } }), {
    fields: 'first_name,last_name',
  });
  assert.throws(() => parseParams({ method: 'POST', path: '/x', body: '{"a":' }), /Invalid JSON/);
});
