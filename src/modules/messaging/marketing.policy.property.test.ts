import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decideMarketingMessage,
  mayBeInRestrictedRegion,
  PAID_MARKETING_GAP_MS,
  regionOf,
  type MarketingSendInput,
} from './marketing.policy.ts';

const HOUR = 3600_000;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const ALLOWED_COUNTRY = ['US', 'BR', 'MX', 'IN', 'CA', 'TH', 'PH'];
const RESTRICTED_COUNTRY = ['FR', 'DE', 'IE', 'GB', 'JP', 'KR', 'AU', 'ES', 'PL', 'SE'];

function input(o: Partial<MarketingSendInput> = {}): MarketingSendInput {
  return {
    now: NOW,
    contactStatus: 'active',
    pageStatus: 'active',
    pageEnabled: true,
    consent: { replies: 'granted', marketing: 'granted' },
    token: { status: 'active', expiresAt: null, lastMarketingSentAt: null },
    locale: 'en_US',
    timezone: -5,
    ...o,
  };
}

const arbInput: fc.Arbitrary<MarketingSendInput> = fc.record({
  now: fc.constant(NOW),
  contactStatus: fc.constantFrom('active', 'unreachable', 'erased'),
  pageStatus: fc.constantFrom('active', 'token_invalid', 'disabled'),
  pageEnabled: fc.boolean(),
  consent: fc.record({
    replies: fc.constantFrom('granted', 'withdrawn'),
    marketing: fc.constantFrom('none', 'granted', 'withdrawn'),
  }),
  token: fc.option(
    fc.record({
      status: fc.constantFrom('active', 'stopped', 'expired'),
      expiresAt: fc.option(fc.integer({ min: NOW - 48 * HOUR, max: NOW + 48 * HOUR })),
      lastMarketingSentAt: fc.option(fc.integer({ min: NOW - 48 * HOUR, max: NOW })),
    }),
  ),
  locale: fc.option(
    fc.oneof(
      fc.constantFrom(...ALLOWED_COUNTRY, ...RESTRICTED_COUNTRY).map((c) => `en_${c}`),
      fc.constantFrom('en', 'es_419', 'fr', ''),
    ),
  ),
  timezone: fc.option(fc.integer({ min: -12, max: 14 })),
});

describe('the Marketing Messages policy', () => {
  it('allows a send only when every condition holds, whatever else is true', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decideMarketingMessage(i);
        const tokenLive =
          i.token !== null &&
          i.token.status === 'active' &&
          (i.token.expiresAt === null || NOW < i.token.expiresAt) &&
          (i.token.lastMarketingSentAt === null || NOW - i.token.lastMarketingSentAt >= PAID_MARKETING_GAP_MS);
        const expected =
          i.contactStatus === 'active' &&
          i.pageStatus === 'active' &&
          i.pageEnabled &&
          i.consent.replies === 'granted' &&
          i.consent.marketing === 'granted' &&
          tokenLive &&
          !mayBeInRestrictedRegion(i.locale, i.timezone);
        assert.equal(d.allowed, expected);
      }),
    );
  });

  it('never allows a person whose locale names a restricted region, or no region at all', () => {
    fc.assert(
      fc.property(
        arbInput,
        fc.constantFrom(...RESTRICTED_COUNTRY.map((c) => `en_${c}`), 'en', 'es_419', null),
        (i, locale) => {
          assert.equal(decideMarketingMessage({ ...i, locale }).allowed, false);
        },
      ),
    );
  });

  it('never allows two sends to one token within 12 hours, and allows the next at 12 hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PAID_MARKETING_GAP_MS - 1 }), (ago) => {
        const token = { status: 'active' as const, expiresAt: null, lastMarketingSentAt: NOW - ago };
        assert.deepEqual(decideMarketingMessage(input({ token })), { allowed: false, reason: 'frequency_capped' });
      }),
    );
    const token = { status: 'active' as const, expiresAt: null, lastMarketingSentAt: NOW - PAID_MARKETING_GAP_MS };
    assert.deepEqual(decideMarketingMessage(input({ token })), { allowed: true });
  });

  it('names the reason a recipient is skipped', () => {
    const reasonOf = (o: Partial<MarketingSendInput>) => {
      const d = decideMarketingMessage(input(o));
      return d.allowed ? null : d.reason;
    };
    assert.equal(reasonOf({}), null);
    assert.equal(reasonOf({ pageEnabled: false }), 'marketing_not_enabled');
    assert.equal(reasonOf({ token: null }), 'no_marketing_token');
    assert.equal(reasonOf({ consent: { replies: 'granted', marketing: 'none' } }), 'no_marketing_consent');
    assert.equal(reasonOf({ consent: { replies: 'withdrawn', marketing: 'granted' } }), 'opted_out');
    assert.equal(reasonOf({ locale: 'fr_FR', timezone: -5 }), 'marketing_region_restricted');
    assert.equal(reasonOf({ locale: 'en_US', timezone: 1 }), 'marketing_region_restricted');
    assert.equal(reasonOf({ locale: 'en_US', timezone: 9 }), 'marketing_region_restricted');
    assert.equal(reasonOf({ locale: null, timezone: -5 }), 'marketing_region_restricted');
    assert.equal(
      reasonOf({ token: { status: 'stopped', expiresAt: null, lastMarketingSentAt: null } }),
      'marketing_token_stopped',
    );
  });

  it('reads the region of a locale, and nothing from a locale without one', () => {
    assert.equal(regionOf('fr_FR'), 'FR');
    assert.equal(regionOf('pt-br'), 'BR');
    assert.equal(regionOf('es_419'), null);
    assert.equal(regionOf('en'), null);
    assert.equal(regionOf(null), null);
  });
});
