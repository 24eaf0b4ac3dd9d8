import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addCalendarMonths, canExtend, computeDueAt, isOverdue, warningAt } from './deadlines.ts';

const DAY = 24 * 3600 * 1000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString();
const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
const instant = fc.integer({ min: utc('2000-01-01T00:00:00'), max: utc('2099-12-31T23:59:59.999') });

describe('GDPR deadlines', () => {
  it('end one calendar month after receipt, on the same date and time', () => {
    assert.equal(iso(computeDueAt('gdpr', utc('2026-11-28T09:15:00'), false)), '2026-12-28T09:15:00.000Z');
    assert.equal(iso(computeDueAt('gdpr', utc('2026-12-15T00:00:00'), false)), '2027-01-15T00:00:00.000Z');
  });

  it('clamp 31 January to the end of February, in common and leap years', () => {
    assert.equal(iso(computeDueAt('gdpr', utc('2026-01-31T10:00:00'), false)), '2026-02-28T10:00:00.000Z');
    assert.equal(iso(computeDueAt('gdpr', utc('2028-01-31T10:00:00'), false)), '2028-02-29T10:00:00.000Z');
    assert.equal(iso(computeDueAt('gdpr', utc('2028-01-29T10:00:00'), false)), '2028-02-29T10:00:00.000Z');
  });

  it('clamp 31 March to 30 April', () => {
    assert.equal(iso(computeDueAt('gdpr', utc('2026-03-31T23:59:59'), false)), '2026-04-30T23:59:59.000Z');
  });

  it('run two further months from the first deadline when extended', () => {
    assert.equal(iso(computeDueAt('gdpr', utc('2026-11-28T09:00:00'), true)), '2027-02-28T09:00:00.000Z');
    assert.equal(iso(computeDueAt('gdpr', utc('2026-01-31T09:00:00'), true)), '2026-04-28T09:00:00.000Z');
  });

  it("fall on the same date next month, or that month's last day, at the same time of day, for any receipt", () => {
    fc.assert(
      fc.property(instant, (receivedAt) => {
        const r = new Date(receivedAt);
        const due = new Date(computeDueAt('gdpr', receivedAt, false));
        const nextMonth = (r.getUTCMonth() + 1) % 12;
        assert.equal(due.getUTCMonth(), nextMonth);
        assert.equal(due.getUTCFullYear(), r.getUTCFullYear() + (nextMonth === 0 ? 1 : 0));
        assert.equal(due.getUTCDate(), Math.min(r.getUTCDate(), lastDayOf(due.getUTCFullYear(), due.getUTCMonth())));
        assert.equal(due.getTime() % DAY, receivedAt % DAY);
      }),
      { numRuns: 5000 },
    );
  });

  it('are always 28 to 31 days after receipt, and never more than one calendar month', () => {
    fc.assert(
      fc.property(instant, (receivedAt) => {
        const due = computeDueAt('gdpr', receivedAt, false);
        const r = new Date(receivedAt);
        const sameDateNextMonth =
          Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, r.getUTCDate()) + (receivedAt % DAY);
        assert.ok(due > receivedAt);
        assert.ok(due - receivedAt >= 28 * DAY && due - receivedAt <= 31 * DAY);
        assert.ok(due <= sameDateNextMonth, 'later than one calendar month');
      }),
      { numRuns: 5000 },
    );
  });

  it('extended, are later than the first deadline and at most three calendar months after receipt', () => {
    fc.assert(
      fc.property(instant, (receivedAt) => {
        const first = computeDueAt('gdpr', receivedAt, false);
        const extended = computeDueAt('gdpr', receivedAt, true);
        assert.ok(extended - first >= 59 * DAY && extended - first <= 62 * DAY);
        assert.ok(extended <= addCalendarMonths(receivedAt, 3));
      }),
      { numRuns: 5000 },
    );
  });

  it('may be extended only by a notice given within the first month', () => {
    const receivedAt = utc('2026-01-31T10:00:00');
    const due = computeDueAt('gdpr', receivedAt, false);
    assert.equal(canExtend('gdpr', receivedAt, receivedAt), true);
    assert.equal(canExtend('gdpr', receivedAt, due), true);
    assert.equal(canExtend('gdpr', receivedAt, due + 1), false);
    assert.equal(canExtend('gdpr', receivedAt, receivedAt - 1), false);
  });
});

describe('CCPA deadlines', () => {
  it('are exactly 45 days of 24 hours, or 90 when extended', () => {
    fc.assert(
      fc.property(instant, (receivedAt) => {
        assert.equal(computeDueAt('ccpa', receivedAt, false) - receivedAt, 45 * DAY);
        assert.equal(computeDueAt('ccpa', receivedAt, true) - receivedAt, 90 * DAY);
      }),
    );
  });

  it('may be extended once, by a notice within the first 45 days', () => {
    const receivedAt = utc('2026-11-28T00:00:00');
    assert.equal(canExtend('ccpa', receivedAt, receivedAt + 45 * DAY), true);
    assert.equal(canExtend('ccpa', receivedAt, receivedAt + 45 * DAY + 1), false);
  });
});

describe('warnings and lateness', () => {
  it('warn seven days before the deadline by default, or with the lead given', () => {
    const receivedAt = utc('2026-03-31T12:00:00');
    assert.equal(iso(warningAt('gdpr', receivedAt, false)), '2026-04-23T12:00:00.000Z');
    assert.equal(iso(warningAt('ccpa', receivedAt, false, DAY)), iso(receivedAt + 44 * DAY));
  });

  it('never warn before the request arrived, and always before or at the deadline', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom('gdpr' as const, 'ccpa' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 200 * DAY }),
        (receivedAt, regime, extended, lead) => {
          const warn = warningAt(regime, receivedAt, extended, lead);
          assert.ok(warn >= receivedAt && warn <= computeDueAt(regime, receivedAt, extended));
        },
      ),
    );
  });

  it('count a request as overdue only after its deadline instant', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom('gdpr' as const, 'ccpa' as const),
        fc.boolean(),
        (receivedAt, regime, extended) => {
          const due = computeDueAt(regime, receivedAt, extended);
          assert.equal(isOverdue(regime, receivedAt, extended, due), false);
          assert.equal(isOverdue(regime, receivedAt, extended, due + 1), true);
          assert.equal(isOverdue(regime, receivedAt, extended, receivedAt), false);
        },
      ),
    );
  });
});
