import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  callsFor,
  checkProfile,
  nextCallSlot,
  pushPlan,
  PROFILE_CALLS_PER_WINDOW,
  PROFILE_WINDOW_MS,
  type MessengerProfile,
} from './profile.policy.ts';

const locale = fc.constantFrom('default', 'en_US', 'pt_BR', 'de_DE');
const text = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() !== '');
const question = fc.record({ question: text(80), payload: text(40) });
const profileArb: fc.Arbitrary<MessengerProfile> = fc
  .record(
    {
      get_started: fc.record({ payload: text(40) }),
      greeting: fc
        .uniqueArray(locale, { minLength: 1, maxLength: 4 })
        .chain((ls) =>
          fc.tuple(...[...new Set(['default', ...ls])].map((l) => text(160).map((t) => ({ locale: l, text: t })))),
        ),
      ice_breakers: fc
        .uniqueArray(locale, { minLength: 1, maxLength: 4 })
        .chain((ls) =>
          fc.tuple(
            ...ls.map((l) =>
              fc.array(question, { minLength: 1, maxLength: 4 }).map((q) => ({ locale: l, call_to_actions: q })),
            ),
          ),
        ),
    },
    { requiredKeys: [] },
  )
  .map((p) => JSON.parse(JSON.stringify(p)) as MessengerProfile); // plain objects, as JSON bodies arrive

describe('Messenger profile checks', () => {
  it('accept any profile within Meta’s limits and keep it as given', () => {
    fc.assert(
      fc.property(profileArb, (p) => {
        const r = checkProfile(p as Record<string, unknown>);
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.profile, p);
      }),
    );
  });

  it('refuse a fifth ice breaker in any locale, naming that locale’s list', () => {
    fc.assert(
      fc.property(fc.array(question, { minLength: 5, maxLength: 8 }), fc.integer({ min: 0, max: 2 }), (qs, at) => {
        const entries = [
          { locale: 'default', call_to_actions: qs.slice(0, 1) },
          { locale: 'en_US', call_to_actions: qs.slice(0, 2) },
          { locale: 'pt_BR', call_to_actions: qs.slice(0, 3) },
        ];
        entries[at] = { ...entries[at]!, call_to_actions: qs };
        const r = checkProfile({ ice_breakers: entries });
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.problem.field, `ice_breakers[${at}].call_to_actions`);
      }),
    );
  });

  it('refuse a greeting over 160 characters, 21 menu items, a nested menu and a menu without Get Started', () => {
    const item = (i: number) => ({ type: 'postback', title: `Item ${i}`, payload: `P${i}` });
    const cases: [Record<string, unknown>, string][] = [
      [{ greeting: [{ locale: 'default', text: 'x'.repeat(161) }] }, 'greeting[0].text'],
      [{ greeting: [{ locale: 'en_US', text: 'Hi' }] }, 'greeting'],
      [
        {
          get_started: { payload: 'GO' },
          persistent_menu: [{ locale: 'default', call_to_actions: Array.from({ length: 21 }, (_, i) => item(i)) }],
        },
        'persistent_menu[0].call_to_actions',
      ],
      [
        {
          get_started: { payload: 'GO' },
          persistent_menu: [
            { locale: 'default', call_to_actions: [{ type: 'nested', title: 'More', call_to_actions: [item(1)] }] },
          ],
        },
        'persistent_menu[0].call_to_actions[0].type',
      ],
      [{ persistent_menu: [{ locale: 'default', call_to_actions: [item(1)] }] }, 'persistent_menu'],
      [{ get_started: { payload: '' } }, 'get_started.payload'],
      [{ whitelisted_domains: ['https://a.example'] }, 'whitelisted_domains'],
    ];
    for (const [input, field] of cases) {
      const r = checkProfile(input);
      assert.equal(r.ok, false, field);
      if (!r.ok) assert.equal(r.problem.field, field);
    }
    const twenty = {
      get_started: { payload: 'GO' },
      persistent_menu: [{ locale: 'default', call_to_actions: Array.from({ length: 20 }, (_, i) => item(i)) }],
    };
    assert.ok(checkProfile(twenty).ok);
  });
});

describe('pushing a profile', () => {
  it('brings Meta from any pushed profile to any desired one: set what changed, delete what went', () => {
    fc.assert(
      fc.property(profileArb, profileArb, (desired, pushed) => {
        const plan = pushPlan(desired, pushed);
        const after: Record<string, unknown> = { ...pushed, ...plan.set };
        for (const f of plan.remove) delete after[f];
        assert.deepEqual(after, desired);
        assert.ok(callsFor(plan) <= 2);
        if (JSON.stringify(desired) === JSON.stringify(pushed)) assert.equal(callsFor(plan), 0);
      }),
    );
  });

  it('never schedules more than 10 calls in any 10 minutes', () => {
    // Any sequence of pushes (each 1 or 2 calls, wanted at arbitrary times) placed at the slot nextCallSlot gives.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 * 60_000 }), fc.integer({ min: 1, max: 2 })), { maxLength: 40 }),
        (wants) => {
          const calls: number[] = [];
          let clock = 0;
          for (const [gap, needed] of wants) {
            clock = nextCallSlot(calls, clock + gap, needed);
            for (let i = 0; i < needed; i++) calls.push(clock);
          }
          for (const t of calls) {
            const inWindow = calls.filter((c) => c >= t && c < t + PROFILE_WINDOW_MS).length;
            assert.ok(inWindow <= PROFILE_CALLS_PER_WINDOW, `${inWindow} calls within 10 minutes of ${t}`);
          }
        },
      ),
    );
  });

  it('waits exactly until the oldest calls leave the window', () => {
    const calls = Array.from({ length: 10 }, (_, i) => i * 1000);
    assert.equal(nextCallSlot(calls, 5000, 1), PROFILE_WINDOW_MS);
    assert.equal(nextCallSlot(calls, 5000, 2), 1000 + PROFILE_WINDOW_MS);
    assert.equal(nextCallSlot(calls.slice(0, 8), 5000, 2), 5000);
  });
});
