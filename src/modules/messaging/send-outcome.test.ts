import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError, classifyGraphError } from '../../platform/index.ts';
import { outcomeOfError } from './send-outcome.ts';

const graphError = (code: number, subcode?: number, status = 400) =>
  new GraphError(
    'send_message',
    classifyGraphError(status, {
      error: {
        message: `(#${code}) x`,
        type: 'OAuthException',
        code,
        ...(subcode !== undefined && { error_subcode: subcode }),
      },
    }),
  );
const policy = { backoff: { baseMs: 1000, maxMs: 60_000 }, maxAttempts: 5 };

test('rate limits and transient errors are retried later, with jitter, never sooner than 250 ms', () => {
  for (const err of [
    graphError(4),
    graphError(17),
    graphError(32),
    graphError(613, 2534040),
    graphError(80001),
    graphError(1),
    graphError(2),
    graphError(0, undefined, 503),
  ]) {
    const o = outcomeOfError(err, 3, 10_000, policy, () => 0.5);
    assert.equal(o.type, 'retry', err.message);
    if (o.type === 'retry') assert.equal(o.at, 10_000 + 2000);
    const early = outcomeOfError(err, 1, 10_000, policy, () => 0);
    assert.equal(early.type === 'retry' && early.at, 10_250);
  }
});

test('a retryable error becomes final after the last attempt', () => {
  assert.equal(outcomeOfError(graphError(613), 5, 0, policy).type, 'failed');
});

test('551, 200/1545041 and 10/2018108 fail the send and make the contact unreachable', () => {
  for (const err of [graphError(551), graphError(551, 1545041), graphError(200, 1545041), graphError(10, 2018108)]) {
    assert.deepEqual(outcomeOfError(err, 1, 0, policy), {
      type: 'failed',
      error: err.classification,
      contactEffect: 'unreachable',
    });
  }
});

test('100/2018001 fails the send and flags the PSID for reconciliation', () => {
  const o = outcomeOfError(graphError(100, 2018001), 1, 0, policy);
  assert.equal(o.type === 'failed' && o.contactEffect, 'psid_invalid');
});

test('190 pauses the Page instead of failing the message', () => {
  assert.equal(outcomeOfError(graphError(190), 1, 0, policy).type, 'reauthorize');
});

test('outside the window, another app owning the thread and bad parameters are final at once', () => {
  for (const [err, code] of [
    [graphError(10, 2018278), 'outside_window'],
    [graphError(10, 2018300), 'thread_owned'],
    [graphError(100), 'invalid_request'],
  ] as const) {
    const o = outcomeOfError(err, 1, 0, policy);
    assert.equal(o.type, 'failed');
    assert.equal(o.type === 'failed' && o.error.stableCode, code);
    assert.equal(o.type === 'failed' && o.contactEffect, undefined);
  }
});
