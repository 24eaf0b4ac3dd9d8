import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { WebhookEvent } from '../../platform/index.ts';
import { interestsOfEvent, MAX_INTEREST_CHARS, refOfEvent } from './interests.policy.ts';

const base = { pageId: '1', psid: '2', timestamp: 1, channel: 'messaging', idempotencyKey: 'k' } as const;
const postback = (payload?: string, ref?: string): WebhookEvent => ({
  ...base,
  kind: 'postback',
  ...(payload !== undefined && { payload }),
  ...(ref !== undefined && { referral: { ref } }),
});

describe('interests of an inbound event', () => {
  it('counts a button payload, not the Get Started one, and the ref that came with it', () => {
    assert.deepEqual(interestsOfEvent(postback('MENU_ORDERS')), ['payload:MENU_ORDERS']);
    assert.deepEqual(interestsOfEvent(postback('GET_STARTED', 'ord-1')), ['ref:ord-1']);
    assert.deepEqual(interestsOfEvent(postback('get started')), []);
    assert.equal(refOfEvent(postback('GET_STARTED', 'ord-1')), 'ord-1');
  });

  it('counts a quick reply payload and a message referral, not the text', () => {
    const message: WebhookEvent = {
      ...base,
      kind: 'message',
      isEcho: false,
      mid: 'm',
      text: 'red please',
      attachments: [],
      quickReplyPayload: 'COLOR_RED',
      referral: { ref: 'ad-7' },
    };
    assert.deepEqual(interestsOfEvent(message), ['payload:COLOR_RED', 'ref:ad-7']);
  });

  it('never yields an empty or overlong interest, whatever the payload', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.option(fc.string({ maxLength: 400 }), { nil: undefined }),
        (p, r) => {
          for (const i of interestsOfEvent(postback(p, r))) {
            assert.ok([...i].length <= MAX_INTEREST_CHARS);
            assert.match(i, /^(payload|ref):\S/);
          }
        },
      ),
    );
  });
});
