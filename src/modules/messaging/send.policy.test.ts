import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decideSend,
  windowFor,
  pageSendRatePerSecond,
  RETIRED_TAGS,
  WINDOW_MS,
  HUMAN_AGENT_WINDOW_MS,
  MARKETING_FREQUENCY_CAP_MS,
} from './send.policy.ts';
import type { SendDecision, SendPolicyInput } from './send.policy.ts';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

function input(overrides: Partial<SendPolicyInput> = {}): SendPolicyInput {
  return {
    author: 'agent',
    now: NOW,
    lastUserActionAt: NOW - HOUR,
    contactStatus: 'active',
    consent: { replies: 'granted', marketing: 'none' },
    marketingToken: null,
    pageStatus: 'active',
    kind: 'text',
    ...overrides,
  };
}

// The rules restated from the reference (§3.4, §8.1) and the contract, written apart from the implementation.
function oracle(i: SendPolicyInput, capMs = 48 * HOUR): SendDecision {
  const no = (reason: string) => ({ allowed: false, reason }) as SendDecision;
  const hard: [string, boolean][] = [
    ['erased', i.contactStatus === 'erased'],
    ['page_unauthorized', i.pageStatus === 'token_invalid'],
    ['page_disabled', i.pageStatus === 'disabled'],
    ['unreachable', i.contactStatus === 'unreachable'],
    ['thread_owned', i.threadOwnedElsewhere === true],
  ];
  const blocker = hard.find(([, applies]) => applies);
  if (blocker) return no(blocker[0]);
  const acted = i.lastUserActionAt !== null;
  const anchor = i.lastUserActionAt ?? 0;
  const within24h = acted && i.now < anchor + 86_400_000;
  const within7d = acted && i.now < anchor + 7 * 86_400_000;
  const noWindow = acted ? 'outside_window' : 'no_user_action';
  if (i.isOptOutConfirmation === true) return within24h ? { allowed: true, messagingType: 'RESPONSE' } : no(noWindow);
  if (i.consent.replies === 'withdrawn') return no('opted_out');
  if (i.kind === 'utility') return { allowed: true, messagingType: 'UTILITY' };
  if (i.author === 'automation') return within24h ? { allowed: true, messagingType: 'RESPONSE' } : no(noWindow);
  if (i.author === 'agent') {
    if (!acted) return no('no_user_action');
    if (within24h) return { allowed: true, messagingType: 'RESPONSE' };
    if (within7d) return { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    return no('human_agent_window_closed');
  }
  if (i.consent.marketing === 'withdrawn') return no('no_marketing_consent');
  if (within24h) return { allowed: true, messagingType: 'UPDATE' };
  if (i.consent.marketing === 'none') return no('no_marketing_consent');
  const t = i.marketingToken;
  if (t === null) return no(noWindow);
  if (t.status === 'stopped') return no('marketing_token_stopped');
  if (t.status === 'expired' || (t.expiresAt !== null && t.expiresAt <= i.now)) return no('marketing_token_expired');
  if (t.lastMarketingSentAt !== null && i.now < t.lastMarketingSentAt + capMs) return no('frequency_capped');
  return { allowed: true, messagingType: 'UPDATE', marketingToken: true };
}

// Offsets cluster around the edges Meta's rules turn on, so the properties probe them to the millisecond.
const edges = [0, WINDOW_MS, HUMAN_AGENT_WINDOW_MS, 48 * HOUR, 12 * HOUR];
const offset = fc.oneof(
  fc.integer({ min: -HOUR, max: 30 * DAY }),
  fc.tuple(fc.constantFrom(...edges), fc.integer({ min: -2 * SECOND, max: 2 * SECOND })).map(([e, d]) => e + d),
);
const token = fc.option(
  fc.record({
    status: fc.constantFrom('active' as const, 'stopped' as const, 'expired' as const),
    expiresAt: fc.option(offset.map((o) => NOW - HOUR + o)),
    lastMarketingSentAt: fc.option(offset.map((o) => NOW - o)),
  }),
);
const policyInput: fc.Arbitrary<SendPolicyInput> = fc.record(
  {
    author: fc.constantFrom('agent' as const, 'automation' as const, 'campaign' as const),
    now: fc.constant(NOW),
    lastUserActionAt: fc.option(offset.map((o) => NOW - o)),
    contactStatus: fc.constantFrom('active' as const, 'active' as const, 'unreachable' as const, 'erased' as const),
    consent: fc.record({
      replies: fc.constantFrom('granted' as const, 'granted' as const, 'withdrawn' as const),
      marketing: fc.constantFrom('none' as const, 'granted' as const, 'withdrawn' as const),
    }),
    marketingToken: token,
    pageStatus: fc.constantFrom('active' as const, 'active' as const, 'token_invalid' as const, 'disabled' as const),
    isOptOutConfirmation: fc.option(fc.boolean(), { nil: undefined }),
    kind: fc.constantFrom('text' as const, 'media' as const, 'template' as const, 'utility' as const),
    threadOwnedElsewhere: fc.option(fc.boolean(), { nil: undefined }),
  },
  {
    requiredKeys: [
      'author',
      'now',
      'lastUserActionAt',
      'contactStatus',
      'consent',
      'marketingToken',
      'pageStatus',
      'kind',
    ],
  },
);

describe('decideSend agrees with the rules', () => {
  it('gives exactly the oracle decision for any author, window, consent, reachability and token', () => {
    fc.assert(
      fc.property(policyInput, (i) => assert.deepEqual(decideSend(i), oracle(i))),
      { numRuns: 20_000 },
    );
  });

  it('honours a frequency cap passed as an option instead of the 48-hour default', () => {
    fc.assert(
      fc.property(policyInput, fc.integer({ min: 0, max: 72 * HOUR }), (i, capMs) => {
        assert.deepEqual(decideSend(i, { marketingFrequencyCapMs: capMs }), oracle(i, capMs));
      }),
      { numRuns: 5_000 },
    );
  });

  it('never allows what Meta forbids: tagged sends are HUMAN_AGENT by an agent within 7 days, others in 24 h or by token', () => {
    fc.assert(
      fc.property(policyInput, (i) => {
        const d = decideSend(i);
        if (!d.allowed) return;
        const elapsed = i.lastUserActionAt === null ? Infinity : i.now - i.lastUserActionAt;
        assert.equal(i.contactStatus, 'active');
        assert.equal(i.pageStatus, 'active');
        if (d.messagingType === 'UTILITY') {
          assert.equal(i.kind, 'utility');
          assert.equal(d.tag, undefined);
          assert.equal(d.marketingToken, undefined);
        } else if (d.messagingType === 'MESSAGE_TAG') {
          assert.equal(d.tag, 'HUMAN_AGENT');
          assert.equal(i.author, 'agent');
          assert.ok(elapsed < 7 * DAY);
        } else if (d.marketingToken) {
          assert.ok(i.marketingToken && i.marketingToken.status === 'active');
          assert.equal(i.consent.marketing, 'granted');
        } else {
          assert.equal(d.tag, undefined);
          assert.ok(elapsed < DAY);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('never chooses HUMAN_AGENT for automation or campaign, and never returns a retired tag', () => {
    fc.assert(
      fc.property(policyInput, (i) => {
        const d = decideSend(i);
        if (!d.allowed) return;
        if (i.author !== 'agent') assert.equal(d.tag, undefined);
        assert.ok(d.tag === undefined || !RETIRED_TAGS.includes(d.tag));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('utility templates', () => {
  const utility = policyInput.map((i) => ({ ...i, kind: 'utility' as const }));

  it('go out as UTILITY at any distance from the last user action, for any author, never as HUMAN_AGENT', () => {
    fc.assert(
      fc.property(utility, (i) => {
        const d = decideSend(i);
        const blocked =
          i.contactStatus !== 'active' ||
          i.pageStatus !== 'active' ||
          i.threadOwnedElsewhere === true ||
          (i.isOptOutConfirmation !== true && i.consent.replies === 'withdrawn');
        if (i.isOptOutConfirmation === true || blocked) return;
        assert.deepEqual(d, { allowed: true, messagingType: 'UTILITY' });
      }),
      { numRuns: 10_000 },
    );
  });

  it('never reach a person who opted out, is unreachable or erased', () => {
    fc.assert(
      fc.property(utility, (i) => {
        const d = decideSend({ ...i, isOptOutConfirmation: undefined });
        if (i.consent.replies === 'withdrawn' || i.contactStatus !== 'active') assert.equal(d.allowed, false);
      }),
      { numRuns: 10_000 },
    );
  });

  it('go out 30 days after the last message, where a promotional campaign is refused', () => {
    const old = { lastUserActionAt: NOW - 30 * DAY, author: 'campaign' as const };
    assert.deepEqual(decideSend(input({ ...old, kind: 'utility' })), { allowed: true, messagingType: 'UTILITY' });
    assert.equal(decideSend(input({ ...old, kind: 'text' })).allowed, false);
  });
});

describe('a thread another app owns (handover protocol)', () => {
  it('is never sent to, by any author, of any kind, not even the opt-out confirmation', () => {
    fc.assert(
      fc.property(policyInput, (i) => {
        const d = decideSend({ ...i, threadOwnedElsewhere: true });
        assert.equal(d.allowed, false);
        if (i.contactStatus === 'active' && i.pageStatus === 'active')
          assert.deepEqual(d, { allowed: false, reason: 'thread_owned' });
      }),
      { numRuns: 10_000 },
    );
  });

  it('changes nothing once pagescope has the thread again', () => {
    fc.assert(
      fc.property(policyInput, (i) =>
        assert.deepEqual(
          decideSend({ ...i, threadOwnedElsewhere: false }),
          decideSend({ ...i, threadOwnedElsewhere: undefined }),
        ),
      ),
    );
  });
});

describe('window edges, to the second', () => {
  const at = (elapsed: number, author: SendPolicyInput['author'] = 'agent') =>
    decideSend(input({ author, lastUserActionAt: NOW - elapsed }));

  it('answers RESPONSE at 23:59:59 and switches an agent to HUMAN_AGENT at 24:00:00 and 24:00:01', () => {
    assert.deepEqual(at(DAY - SECOND), { allowed: true, messagingType: 'RESPONSE' });
    assert.deepEqual(at(DAY), { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    assert.deepEqual(at(DAY + SECOND), { allowed: true, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('lets automation answer at 23:59:59 and refuses it at 24:00:00 and 24:00:01', () => {
    assert.equal(at(DAY - SECOND, 'automation').allowed, true);
    assert.deepEqual(at(DAY, 'automation'), { allowed: false, reason: 'outside_window' });
    assert.deepEqual(at(DAY + SECOND, 'automation'), { allowed: false, reason: 'outside_window' });
  });

  it('lets an agent use HUMAN_AGENT at 7 days minus 1 s and refuses at 7 days and 7 days plus 1 s', () => {
    assert.equal(at(7 * DAY - SECOND).allowed, true);
    assert.deepEqual(at(7 * DAY), { allowed: false, reason: 'human_agent_window_closed' });
    assert.deepEqual(at(7 * DAY + SECOND), { allowed: false, reason: 'human_agent_window_closed' });
  });

  it('treats a user action stamped slightly in the future as just now', () => {
    assert.deepEqual(at(-5 * SECOND, 'automation'), { allowed: true, messagingType: 'RESPONSE' });
  });

  it('reports when the windows close, and nothing without a user action', () => {
    assert.deepEqual(windowFor(NOW), { standardEndsAt: NOW + DAY, humanAgentEndsAt: NOW + 7 * DAY });
    assert.deepEqual(windowFor(null), { standardEndsAt: null, humanAgentEndsAt: null });
  });
});

describe('reasons, most useful first', () => {
  it('says erased before anything about the Page, the contact or consent', () => {
    const i = input({
      contactStatus: 'erased',
      pageStatus: 'disabled',
      consent: { replies: 'withdrawn', marketing: 'none' },
    });
    assert.deepEqual(decideSend(i), { allowed: false, reason: 'erased' });
  });

  it('says page_unauthorized or page_disabled before unreachable', () => {
    assert.deepEqual(decideSend(input({ pageStatus: 'token_invalid', contactStatus: 'unreachable' })), {
      allowed: false,
      reason: 'page_unauthorized',
    });
    assert.deepEqual(decideSend(input({ pageStatus: 'disabled', contactStatus: 'unreachable' })), {
      allowed: false,
      reason: 'page_disabled',
    });
  });

  it('says unreachable before opted_out, and opted_out before the window', () => {
    const optedOut = { replies: 'withdrawn', marketing: 'none' } as const;
    assert.deepEqual(decideSend(input({ contactStatus: 'unreachable', consent: optedOut })), {
      allowed: false,
      reason: 'unreachable',
    });
    assert.deepEqual(decideSend(input({ consent: optedOut, lastUserActionAt: NOW - 30 * DAY })), {
      allowed: false,
      reason: 'opted_out',
    });
  });

  it('says no_user_action when the person never acted', () => {
    assert.deepEqual(decideSend(input({ lastUserActionAt: null })), { allowed: false, reason: 'no_user_action' });
  });
});

describe('opt-out confirmation', () => {
  const optedOut = { replies: 'withdrawn', marketing: 'withdrawn' } as const;

  it('reaches an opted-out person as RESPONSE within 24 h', () => {
    const d = decideSend(input({ author: 'automation', consent: optedOut, isOptOutConfirmation: true }));
    assert.deepEqual(d, { allowed: true, messagingType: 'RESPONSE' });
  });

  it('is refused after 24 h, even for an agent who could otherwise tag', () => {
    const d = decideSend(input({ consent: optedOut, isOptOutConfirmation: true, lastUserActionAt: NOW - 2 * DAY }));
    assert.deepEqual(d, { allowed: false, reason: 'outside_window' });
  });
});

describe('campaigns', () => {
  const granted = { replies: 'granted', marketing: 'granted' } as const;
  const live = { status: 'active', expiresAt: null, lastMarketingSentAt: null } as const;
  const outside = NOW - 3 * DAY;

  it('go out as UPDATE inside the window without a token', () => {
    assert.deepEqual(decideSend(input({ author: 'campaign' })), { allowed: true, messagingType: 'UPDATE' });
  });

  it('go out with the marketing token outside the window when consent is granted', () => {
    const d = decideSend(
      input({ author: 'campaign', lastUserActionAt: outside, consent: granted, marketingToken: live }),
    );
    assert.deepEqual(d, { allowed: true, messagingType: 'UPDATE', marketingToken: true });
  });

  it('are refused outside the window without marketing consent, or with a stopped or expired token', () => {
    const base = { author: 'campaign', lastUserActionAt: outside, consent: granted, marketingToken: live } as const;
    assert.deepEqual(decideSend(input({ ...base, consent: { replies: 'granted', marketing: 'none' } })), {
      allowed: false,
      reason: 'no_marketing_consent',
    });
    assert.deepEqual(decideSend(input({ ...base, marketingToken: { ...live, status: 'stopped' } })), {
      allowed: false,
      reason: 'marketing_token_stopped',
    });
    assert.deepEqual(decideSend(input({ ...base, marketingToken: { ...live, expiresAt: NOW } })), {
      allowed: false,
      reason: 'marketing_token_expired',
    });
  });

  it('are capped at one per 48 h per token by default', () => {
    const sentAt = (ago: number) =>
      input({
        author: 'campaign',
        lastUserActionAt: outside,
        consent: granted,
        marketingToken: { ...live, lastMarketingSentAt: NOW - ago },
      });
    assert.equal(MARKETING_FREQUENCY_CAP_MS, 48 * HOUR);
    assert.deepEqual(decideSend(sentAt(48 * HOUR - SECOND)), { allowed: false, reason: 'frequency_capped' });
    assert.equal(decideSend(sentAt(48 * HOUR)).allowed, true);
  });

  it('are refused to a person who withdrew marketing consent, even inside the window', () => {
    const d = decideSend(input({ author: 'campaign', consent: { replies: 'granted', marketing: 'withdrawn' } }));
    assert.deepEqual(d, { allowed: false, reason: 'no_marketing_consent' });
  });
});

describe('constants', () => {
  it('list the tags Meta retired on 2026-04-27', () => {
    for (const tag of ['ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE']) {
      assert.ok(RETIRED_TAGS.includes(tag), tag);
    }
    assert.ok(!RETIRED_TAGS.includes('HUMAN_AGENT'));
  });

  it('give audio and video the slower per-Page send rate', () => {
    assert.equal(pageSendRatePerSecond('media'), 10);
    assert.equal(pageSendRatePerSecond('text'), 300);
  });
});
