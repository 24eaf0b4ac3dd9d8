import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay, classifyGraphError, classifyNetworkFailure, type GraphErrorKind } from './graph-errors.ts';

type Row = [code: number, subcode: number | undefined, message: string, kind: GraphErrorKind, stableCode: string];

// Every row of the reference's official error table (§4.2), in order, with the class it must fall in.
const OFFICIAL_TABLE: Row[] = [
  [1, 99, 'An unknown error occurred.', 'transient', 'meta_temporary_error'],
  [1, 1357046, 'Received invalid JSON reply.', 'transient', 'meta_temporary_error'],
  [
    2,
    undefined,
    'An unexpected error has occurred. Please retry your request later.',
    'transient',
    'meta_temporary_error',
  ],
  [2, 2018344, 'Service temporarily unavailable', 'transient', 'meta_temporary_error'],
  [4, undefined, 'Rate Limit error: Application request limit reached.', 'rate_limited', 'rate_limited'],
  [4, 2018022, 'Rate Limit error: Too many send requests to phone numbers', 'rate_limited', 'rate_limited'],
  [
    4,
    2018354,
    'Marketing Messages – There has to be a minimum delay between 2 notifications',
    'rate_limited',
    'frequency_capped',
  ],
  [9, 2018352, 'User is performing too many actions', 'permanent', 'meta_error'],
  [10, undefined, 'No Permission For Pages Associated to Instant Games.', 'permanent', 'meta_permission_denied'],
  [10, 1404170, 'Application does not have permission for this action', 'permanent', 'meta_permission_denied'],
  [
    10,
    1893015,
    '(#10) This user has currently stopped notification messages for this topic',
    'permanent',
    'marketing_token_stopped',
  ],
  [10, 2018336, 'User Thread Impact', 'permanent', 'meta_permission_denied'],
  [10, 2534022, 'This message is sent outside of allowed window.', 'outside_window', 'outside_window'],
  [
    10,
    2534077,
    'Cannot verify the connection between the IG account, the logged in user and the page',
    'permanent',
    'meta_permission_denied',
  ],
  [
    10,
    2018278,
    'This message is sent outside of allowed window. Learn more about the new policy here',
    'outside_window',
    'outside_window',
  ],
  [
    10,
    2018065,
    'This message is sent outside of allowed window. You need News Messaging permission to be able to do it.',
    'outside_window',
    'outside_window',
  ],
  [10, 2018108, "They can't receive your messages right now.", 'unreachable', 'unreachable'],
  [10, 1893063, 'You are temporarily restricted from sending messages.', 'permanent', 'meta_permission_denied'],
  [100, undefined, 'Bad Parameter Error: Invalid FBID.', 'invalid_request', 'invalid_request'],
  [
    100,
    33,
    'Unsupported get request. Object with ID * does not exist',
    'no_profile_permission',
    'no_profile_permission',
  ],
  [100, 2018001, 'No matching user found', 'invalid_recipient', 'invalid_recipient'],
  [100, 2018008, 'Failed to fetch the file from the url', 'invalid_request', 'invalid_request'],
  [100, 2018014, 'Cannot send both message and state at the same time.', 'invalid_request', 'invalid_request'],
  [100, 2018047, 'Upload attachment failure', 'invalid_request', 'invalid_request'],
  [100, 2018074, 'Possible invalid ID or you do not own the attachment.', 'invalid_request', 'invalid_request'],
  [100, 2018109, 'Attachment size exceeds allowable limit', 'invalid_request', 'invalid_request'],
  [100, 2018164, 'Incorrect App ID.', 'invalid_request', 'invalid_request'],
  [100, 2018294, 'Video upload timed out or video is corrupted', 'invalid_request', 'invalid_request'],
  [100, 2018320, 'Invalid product id', 'invalid_request', 'invalid_request'],
  [100, 2018328, 'Product template not supported below v8', 'invalid_request', 'invalid_request'],
  [100, 2534013, 'The page is not linked to an Instagram business account', 'invalid_request', 'invalid_request'],
  [100, 2534014, 'No matching Instagram user', 'invalid_request', 'invalid_request'],
  [100, 2534015, 'Invalid message data', 'invalid_request', 'invalid_request'],
  [100, 2534025, 'The comment is invalid for a private reply', 'invalid_request', 'invalid_request'],
  [100, 2534029, 'Business blocked', 'invalid_request', 'invalid_request'],
  [100, 2534037, "The action is invalid since it's not the thread owner.", 'thread_owned', 'thread_owned'],
  [190, undefined, 'Invalid OAuth access token.', 'reauthorize', 'page_unauthorized'],
  [
    200,
    undefined,
    'Permission Error: Cannot message users who are not admins, developers or testers of the app',
    'permanent',
    'meta_permission_denied',
  ],
  [200, 1545041, "Message Not Sent: This person isn't available right now.", 'unreachable', 'unreachable'],
  [200, 2018021, 'Requires phone matching access fee to be paid by this page', 'permanent', 'meta_permission_denied'],
  [
    200,
    2018027,
    'Cannot message users … until pages_messaging_phone_number permission is reviewed',
    'permanent',
    'meta_permission_denied',
  ],
  [
    200,
    2018028,
    'Cannot message users … until pages_messaging permission is reviewed',
    'permanent',
    'meta_permission_denied',
  ],
  [
    200,
    2534041,
    'The account owner has disabled access to instagram direct messages.',
    'permanent',
    'meta_permission_denied',
  ],
  [
    551,
    undefined,
    "User Block Error: This person isn't receiving messages from you right now.",
    'unreachable',
    'unreachable',
  ],
  [551, 1545041, "This person isn't available right now.", 'unreachable', 'unreachable'],
  [
    613,
    1893016,
    'You may not send multiple opt–in requests with the same topic to a user.',
    'rate_limited',
    'rate_limited',
  ],
  [
    613,
    2018338,
    'Warning! You are engaging in behavior that may be considered bothersome or abusive',
    'rate_limited',
    'rate_limited',
  ],
  [613, 2534040, 'Calls to this api have exceeded the rate limit.', 'rate_limited', 'rate_limited'],
  [2022, undefined, 'The ability to send commerce messages has been temporarily disabled', 'permanent', 'meta_error'],
  [10303, undefined, 'Account Linking Error: Invalid account_linking_token.', 'permanent', 'meta_error'],
  [2018144, undefined, 'Could not send Instant Game message', 'permanent', 'meta_error'],
  [2018171, undefined, 'Only available to Primary and Secondary Receivers.', 'permanent', 'meta_error'],
  [2018218, undefined, 'No profile available for this user.', 'no_profile', 'no_profile'],
  [
    2018234,
    undefined,
    'Denying visibility of any secondary receiver to another secondary receiver',
    'permanent',
    'meta_error',
  ],
  [2018247, undefined, 'Insufficient permission to access user profile.', 'permanent', 'meta_error'],
  [
    2018300,
    undefined,
    'Message failed to send because another app is controlling this thread now.',
    'thread_owned',
    'thread_owned',
  ],
  [2018321, undefined, 'The chat is currently controlled by Messenger', 'permanent', 'meta_error'],
  [9000001, undefined, 'This Message has been deleted by the user or the business.', 'permanent', 'meta_error'],
];

// Codes seen in the wild (§3.5, §4.3, §4.4) and the forms Meta uses in practice.
const OBSERVED: Row[] = [
  [
    10,
    2018300,
    '(#10) Message failed to send because another app is controlling this thread now.',
    'thread_owned',
    'thread_owned',
  ],
  [100, 2018218, 'No profile available for this user.', 'no_profile', 'no_profile'],
  [17, undefined, 'User request limit reached', 'rate_limited', 'rate_limited'],
  [32, undefined, '(#32) Page request limit reached', 'rate_limited', 'rate_limited'],
  [80001, undefined, 'There have been too many calls to this Page account.', 'rate_limited', 'rate_limited'],
  [190, 460, 'Error validating access token: The session has been invalidated', 'reauthorize', 'page_unauthorized'],
  [
    190,
    493,
    "The access token is invalid since the user hasn't engaged the app in longer than 90 days.",
    'reauthorize',
    'page_unauthorized',
  ],
  [1200, 2018024, '(#1200) Temporary send message failure. Please try again later.', 'permanent', 'meta_error'],
  [
    2500,
    undefined,
    'An active access token must be used to query information about the current user.',
    'permanent',
    'meta_error',
  ],
  [341, undefined, 'Application limit reached', 'permanent', 'meta_error'],
];

function body(code: number, subcode: number | undefined, message: string): unknown {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(subcode !== undefined && { error_subcode: subcode }),
      fbtrace_id: 'AQ2lKD7UqnvqCrMs16fUNLk',
    },
  };
}

for (const [code, subcode, message, kind, stableCode] of [...OFFICIAL_TABLE, ...OBSERVED]) {
  const label = subcode === undefined ? `${code}` : `${code}/${subcode}`;
  test(`Graph error ${label} is ${kind} (${stableCode})`, () => {
    const result = classifyGraphError(400, body(code, subcode, message));
    assert.equal(result.kind, kind);
    assert.equal(result.stableCode, stableCode);
    assert.equal(result.retry, kind === 'rate_limited' || kind === 'transient');
    assert.equal(result.code, code);
    assert.equal(result.subcode, subcode);
    assert.equal(result.fbtraceId, 'AQ2lKD7UqnvqCrMs16fUNLk');
    assert.match(result.stableCode, /^[a-z]+(_[a-z]+)*$/);
  });
}

test('the Meta code decides even when the HTTP status is a 5xx', () => {
  assert.equal(classifyGraphError(500, body(190, undefined, 'Invalid OAuth access token.')).kind, 'reauthorize');
});

test('a 5xx without a Graph error body is transient', () => {
  for (const status of [500, 502, 503, 504]) {
    const result = classifyGraphError(status, '<html>Bad gateway</html>');
    assert.deepEqual([result.kind, result.retry, result.stableCode], ['transient', true, 'meta_unavailable']);
  }
});

test('an HTTP 429 without a Graph error body is rate limited', () => {
  assert.equal(classifyGraphError(429, undefined).kind, 'rate_limited');
});

test('a 4xx without a Graph error body is a final error', () => {
  const result = classifyGraphError(404, { unexpected: true });
  assert.deepEqual([result.kind, result.retry, result.stableCode], ['permanent', false, 'meta_error']);
});

test('a Graph error given as a JSON string is read like an object', () => {
  const result = classifyGraphError(400, JSON.stringify(body(551, 1545041, "This person isn't available right now.")));
  assert.equal(result.kind, 'unreachable');
});

test('numeric codes sent as strings are understood', () => {
  assert.equal(
    classifyGraphError(400, { error: { code: '10', error_subcode: '2018278', message: 'x' } }).kind,
    'outside_window',
  );
});

test('ids quoted by Meta are removed from the message', () => {
  const result = classifyGraphError(
    400,
    body(100, 33, "Unsupported get request. Object with ID '1254459154682919' does not exist"),
  );
  assert.equal(result.message, "Unsupported get request. Object with ID '[id]' does not exist");
});

test('timeouts and network failures are transient and retried', () => {
  const timeout = classifyNetworkFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  const network = classifyNetworkFailure(new TypeError('fetch failed'));
  assert.deepEqual([timeout.kind, timeout.retry, timeout.stableCode], ['transient', true, 'meta_timeout']);
  assert.deepEqual([network.kind, network.retry, network.stableCode], ['transient', true, 'meta_network_error']);
});

test('classification never throws, whatever the body', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 599 }), fc.oneof(fc.jsonValue(), fc.anything()), (status, anyBody) => {
      const result = classifyGraphError(status, anyBody);
      return (
        typeof result.stableCode === 'string' &&
        result.retry === (result.kind === 'rate_limited' || result.kind === 'transient')
      );
    }),
  );
});

test('the backoff delay stays within zero and its exponential ceiling', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
      const delay = backoffDelay(attempt, { baseMs: 500, maxMs: 60_000 }, () => r);
      return Number.isInteger(delay) && delay >= 0 && delay <= Math.min(60_000, 500 * 2 ** (attempt - 1));
    }),
  );
});

test('the backoff ceiling doubles with each attempt until the maximum', () => {
  const top = (attempt: number) => backoffDelay(attempt, { baseMs: 100, maxMs: 1000 }, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 50].map(top), [100, 200, 400, 800, 1000, 1000]);
});

test('full jitter can return any point of the range, including zero', () => {
  assert.equal(
    backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 0.5),
    200,
  );
});
