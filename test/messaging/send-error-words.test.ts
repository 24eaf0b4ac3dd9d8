import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGraphError, classifyNetworkFailure } from '../../src/platform/graph-errors.ts';
import type { RefusalReason } from '../../src/modules/messaging/send.policy.ts';
import { sendErrorCodeLine, sendErrorInWords } from '../../src/lib/send-error-words.ts';

const GENERIC = sendErrorInWords({ code: 'something_new' });
const graph = (code: number, subcode?: number) =>
  classifyGraphError(400, { error: { message: 'x', type: 'OAuthException', code, error_subcode: subcode } });
const words = (code: number, subcode?: number) => {
  const e = graph(code, subcode);
  return sendErrorInWords({ code: e.stableCode, metaCode: e.code ?? null, metaSubcode: e.subcode ?? null });
};

test('a person who blocked the Page is explained as such, whichever of Meta’s codes says it', () => {
  const blocked = "This person can't receive messages from the Page right now (they may have blocked it).";
  assert.equal(words(551, 1545041), blocked);
  assert.equal(words(551), blocked);
  assert.equal(words(10, 2018108), blocked);
  assert.equal(words(200, 1545041), blocked);
});

test('the windows, thread control and an expired Page token each get their own sentence', () => {
  assert.match(words(10, 2018278), /^Outside the messaging window/);
  assert.match(sendErrorInWords({ code: 'human_agent_window_closed' }), /^Outside the 7-day window: /);
  assert.match(words(10, 2018300), /Another app .* is in control of this conversation/);
  assert.match(words(190), /register the Page again/);
  assert.match(words(100, 2018001), /doesn't know this person/);
});

test('a subcode Meta documents says more than its code; an unknown subcode falls back to the stable code', () => {
  assert.match(words(100, 2018109), /larger than Messenger allows/);
  assert.match(words(100, 2018999), /malformed/);
  assert.match(words(613, 2018338), /bothersome or abusive/);
  assert.match(words(613), /limiting how fast/);
});

test('every reason the send policy refuses with, and every Graph outcome, has a sentence of its own', () => {
  const reasons: Record<RefusalReason, true> = {
    outside_window: true,
    human_agent_window_closed: true,
    opted_out: true,
    unreachable: true,
    thread_owned: true,
    erased: true,
    page_unauthorized: true,
    page_disabled: true,
    no_marketing_consent: true,
    marketing_token_stopped: true,
    marketing_token_expired: true,
    frequency_capped: true,
    no_user_action: true,
    marketing_not_enabled: true,
    no_marketing_token: true,
    marketing_region_restricted: true,
  };
  for (const code of Object.keys(reasons)) assert.notEqual(sendErrorInWords({ code }), GENERIC, code);
  const outcomes = [
    graph(1),
    graph(4),
    graph(4, 2018354),
    graph(10),
    graph(10, 1893015),
    graph(100),
    classifyGraphError(503, 'busy'),
    classifyGraphError(418, null),
    classifyNetworkFailure(Object.assign(new Error('t'), { name: 'TimeoutError' })),
    classifyNetworkFailure(new Error('refused')),
  ];
  for (const e of outcomes)
    assert.notEqual(sendErrorInWords({ code: e.stableCode, metaCode: e.code, metaSubcode: e.subcode }), GENERIC);
  assert.match(GENERIC, /The code below says why/);
});

test('the small print keeps the codes: ours, then Meta’s code and subcode', () => {
  assert.equal(
    sendErrorCodeLine({ code: 'unreachable', metaCode: 551, metaSubcode: 1545041 }),
    'unreachable · Meta #551/1545041',
  );
  assert.equal(sendErrorCodeLine({ code: 'thread_owned', metaCode: 10, metaSubcode: null }), 'thread_owned · Meta #10');
  assert.equal(sendErrorCodeLine({ code: 'opted_out' }), 'opted_out');
});
