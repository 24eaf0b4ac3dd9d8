import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assignVariant,
  campaignRate,
  contentRefusal,
  exclusionFor,
  newPace,
  OUTBOX_SECONDS,
  paceAllowance,
  spend,
  type CampaignContent,
  type MemberState,
} from './campaign.policy.ts';
import { WINDOW_MS } from '../messaging/send.policy.ts';

const NOW = Date.UTC(2026, 11, 3, 12);
const member = (over: Partial<MemberState> = {}): MemberState => ({
  lastUserActionAt: NOW - 60_000,
  contactStatus: 'active',
  consent: { replies: 'granted', marketing: 'none' },
  pageStatus: 'active',
  psidInvalid: false,
  handledByHuman: false,
  alreadyReceived: false,
  ...over,
});

test('a variant is a hash of (campaign, contact): always the same, always one of the variants', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1 }),
      fc.string({ minLength: 1 }),
      fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
      (campaign, contact, weights) => {
        const v = assignVariant(campaign, contact, weights);
        assert.ok(v >= 0 && v < weights.length);
        assert.equal(assignVariant(campaign, contact, weights), v);
      },
    ),
  );
});

test('variants are drawn in proportion to their weights, and differently per campaign', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => `ct_${i}`);
  const share = (campaign: string) => ids.filter((id) => assignVariant(campaign, id, [1, 3]) === 1).length / ids.length;
  assert.ok(Math.abs(share('cp_a') - 0.75) < 0.03, `share ${share('cp_a')}`);
  const a = ids.map((id) => assignVariant('cp_a', id, [1, 1]));
  const b = ids.map((id) => assignVariant('cp_b', id, [1, 1]));
  assert.ok(a.filter((v, i) => v !== b[i]).length > 1500, 'another campaign splits the audience anew');
});

test('a standard campaign reaches only people inside the window, not opted out, not with a human now', () => {
  assert.equal(exclusionFor(member(), NOW), null);
  assert.equal(exclusionFor(member({ alreadyReceived: true }), NOW), 'already_received');
  assert.equal(exclusionFor(member({ consent: { replies: 'withdrawn', marketing: 'none' } }), NOW), 'opted_out');
  assert.equal(exclusionFor(member({ contactStatus: 'unreachable' }), NOW), 'unreachable');
  assert.equal(exclusionFor(member({ pageStatus: 'token_invalid' }), NOW), 'page_unauthorized');
  assert.equal(exclusionFor(member({ handledByHuman: true }), NOW), 'human_handling');
  assert.equal(exclusionFor(member({ psidInvalid: true }), NOW), 'invalid_recipient');
  assert.equal(exclusionFor(member({ lastUserActionAt: null }), NOW), 'no_user_action');
  assert.equal(
    exclusionFor(member({ consent: { replies: 'granted', marketing: 'withdrawn' } }), NOW),
    'no_marketing_consent',
  );
  fc.assert(
    fc.property(
      fc.integer({ min: WINDOW_MS, max: 30 * WINDOW_MS }),
      fc.constantFrom('none', 'granted'),
      (ago, marketing) => {
        // Outside the window even with marketing consent: that is the marketing kind's, never a standard campaign's.
        const m = member({ lastUserActionAt: NOW - ago, consent: { replies: 'granted', marketing } });
        assert.equal(exclusionFor(m, NOW), 'outside_window');
      },
    ),
  );
});

test('the pace never queues more than the rate in any second, nor more than its outbox share', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 240 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 0, max: 600 }),
      (rate, gaps, inOutbox) => {
        let t = NOW;
        let state = newPace(t, rate);
        const queued: number[] = [];
        for (const gap of gaps) {
          t += gap;
          const r = paceAllowance(state, t, rate, inOutbox);
          assert.ok(r.allowance <= Math.max(0, rate * OUTBOX_SECONDS - inOutbox));
          state = spend(r.state, r.allowance, t);
          for (let i = 0; i < r.allowance; i++) queued.push(t);
        }
        for (const at of queued) {
          const inSecond = queued.filter((q) => q >= at && q < at + 1000).length;
          assert.ok(inSecond <= rate, `${inSecond} queued in one second at ${rate}/s`);
        }
      },
    ),
  );
});

test('the pace keeps up with the rate when nothing holds it back', () => {
  let state = newPace(NOW, 50);
  let total = 0;
  for (let t = NOW + 50; t <= NOW + 10_000; t += 50) {
    const r = paceAllowance(state, t, 50, 0);
    state = spend(r.state, r.allowance, t);
    total += r.allowance;
  }
  assert.ok(total >= 490 && total <= 505, `queued ${total} in 10 s at 50/s`);
});

test('the pace keeps up with the rate when each turn takes longer than a tenth of a second', () => {
  // A loaded machine: the sender's turns come every 250 ms instead of back to back.
  let state = newPace(NOW, 200);
  let total = 0;
  for (let t = NOW + 250; t <= NOW + 10_000; t += 250) {
    const r = paceAllowance(state, t, 200, 0);
    state = spend(r.state, r.allowance, t);
    total += r.allowance;
  }
  assert.ok(total >= 1940 && total <= 2010, `queued ${total} in 10 s at 200/s`);
});

test("a campaign's rate stays under the Page's limit for its kind", () => {
  assert.equal(campaignRate(undefined, 'text'), 20);
  assert.equal(campaignRate(1000, 'text'), 240);
  assert.equal(campaignRate(50, 'media'), 8);
});

test('content that does not fit its kind is refused with the reason', () => {
  const c = (over: Partial<CampaignContent>): CampaignContent => ({
    kind: 'standard',
    hasMessage: true,
    hasQuickReplies: false,
    hasTemplate: false,
    hasVariants: false,
    templateTexts: [],
    tag: null,
    marketingEnabled: false,
    ...over,
  });
  assert.equal(contentRefusal(c({})), null);
  assert.equal(contentRefusal(c({ tag: 'HUMAN_AGENT' })), 'human_agent_not_allowed');
  assert.equal(contentRefusal(c({ tag: 'SHIPPING_UPDATE' })), 'retired_tag');
  assert.equal(contentRefusal(c({ tag: 'CUSTOM' })), 'tag_not_allowed');
  assert.equal(contentRefusal(c({ kind: 'marketing' })), 'marketing_not_enabled');
  const utility = { kind: 'utility' as const, hasMessage: false, hasTemplate: true };
  assert.equal(contentRefusal(c(utility)), null);
  assert.equal(contentRefusal(c({ ...utility, hasQuickReplies: true })), 'quick_replies_not_allowed');
  assert.equal(contentRefusal(c({ ...utility, hasMessage: true })), 'utility_requires_template');
  assert.equal(contentRefusal(c({ ...utility, hasTemplate: false })), 'template_required');
  assert.equal(contentRefusal(c({ ...utility, templateTexts: ['Your order 12 shipped'] })), null);
  assert.equal(contentRefusal(c({ ...utility, templateTexts: ['20% off everything'] })), 'promotional_content');
  assert.equal(contentRefusal(c({ ...utility, templateTexts: ['Flash SALE today'] })), 'promotional_content');
  assert.equal(contentRefusal(c({ hasMessage: false })), 'message_required');
  assert.equal(contentRefusal(c({ hasTemplate: true })), 'template_not_for_standard');
});

test('a utility campaign reaches people whose window closed, but never the opted out, unreachable or human-handled', () => {
  fc.assert(
    fc.property(fc.option(fc.integer({ min: 0, max: 400 * 86_400_000 }), { nil: null }), (ago) => {
      const m = member({ lastUserActionAt: ago === null ? null : NOW - ago });
      assert.equal(exclusionFor(m, NOW, 'utility'), null);
      assert.equal(
        exclusionFor({ ...m, consent: { replies: 'withdrawn', marketing: 'none' } }, NOW, 'utility'),
        'opted_out',
      );
      assert.equal(exclusionFor({ ...m, contactStatus: 'unreachable' }, NOW, 'utility'), 'unreachable');
      assert.equal(exclusionFor({ ...m, pageStatus: 'token_invalid' }, NOW, 'utility'), 'page_unauthorized');
      assert.equal(exclusionFor({ ...m, handledByHuman: true }, NOW, 'utility'), 'human_handling');
      assert.equal(exclusionFor({ ...m, alreadyReceived: true }, NOW, 'utility'), 'already_received');
    }),
  );
});

test('a utility campaign given a message is refused for its quick replies first, then its promotional words', () => {
  const c = (over: Partial<CampaignContent>): CampaignContent => ({
    kind: 'utility',
    hasMessage: true,
    hasQuickReplies: false,
    hasTemplate: false,
    hasVariants: false,
    templateTexts: [],
    tag: null,
    marketingEnabled: false,
    ...over,
  });
  assert.equal(contentRefusal(c({ hasQuickReplies: true, templateTexts: ['Big sale'] })), 'quick_replies_not_allowed');
  assert.equal(contentRefusal(c({ templateTexts: ['Our summer sale starts now'] })), 'promotional_content');
  assert.equal(contentRefusal(c({ templateTexts: ['Your wholesale account is ready'] })), 'utility_requires_template');
});
