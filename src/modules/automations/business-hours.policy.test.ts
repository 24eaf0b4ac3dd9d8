import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../errors.ts';
import { checkBusinessHours, isOpenAt } from './business-hours.policy.ts';

const paris = checkBusinessHours({
  time_zone: 'Europe/Paris',
  hours: {
    mon: [['09:00', '18:00']],
    tue: [
      ['09:00', '12:00'],
      ['14:00', '18:00'],
    ],
    fri: [['09:00', '18:00']],
    sat: [['10:00', '24:00']],
  },
  holidays: ['2026-12-25'],
});
const utc = (iso: string) => Date.parse(iso);

describe('business hours', () => {
  it('read the hours in the Page’s time zone, across the change to summer time', () => {
    // Friday 27 March 2026, 07:30 UTC is 08:30 in Paris (CET): closed. Monday 30 March, after the change, 07:30 UTC
    // is 09:30 (CEST): open. 16:30 UTC is 17:30 before and 18:30 after.
    assert.equal(isOpenAt(paris, utc('2026-03-27T07:30:00Z')), false);
    assert.equal(isOpenAt(paris, utc('2026-03-30T07:30:00Z')), true);
    assert.equal(isOpenAt(paris, utc('2026-03-27T16:30:00Z')), true);
    assert.equal(isOpenAt(paris, utc('2026-03-30T16:30:00Z')), false);
  });

  it('close at lunch, stay open until midnight, and close on holidays and days not listed', () => {
    assert.equal(isOpenAt(paris, utc('2026-12-01T12:30:00Z')), false); // Tuesday 13:30 CET
    assert.equal(isOpenAt(paris, utc('2026-12-01T13:30:00Z')), true); // Tuesday 14:30 CET
    assert.equal(isOpenAt(paris, utc('2026-12-05T22:59:00Z')), true); // Saturday 23:59 CET
    assert.equal(isOpenAt(paris, utc('2026-12-06T10:00:00Z')), false); // Sunday
    assert.equal(isOpenAt(paris, utc('2026-12-25T10:00:00Z')), false); // Friday, Christmas
    assert.equal(isOpenAt(paris, utc('2026-12-18T10:00:00Z')), true); // the Friday before
  });

  it('take the holiday by the local date: 23:30 UTC on 24 December is already Christmas in Paris', () => {
    const late = checkBusinessHours({
      time_zone: 'Europe/Paris',
      hours: { fri: [['00:00', '24:00']], thu: [['00:00', '24:00']] },
      holidays: ['2026-12-25'],
    });
    assert.equal(isOpenAt(late, utc('2026-12-24T22:30:00Z')), true);
    assert.equal(isOpenAt(late, utc('2026-12-24T23:30:00Z')), false);
  });

  it('refuse an unknown time zone and intervals that close before they open, naming the field', () => {
    const field = (input: Parameters<typeof checkBusinessHours>[0]) => {
      try {
        checkBusinessHours(input);
        return null;
      } catch (err) {
        return (err as AppError).details?.field;
      }
    };
    assert.equal(field({ time_zone: 'Mars/Olympus', hours: {} }), 'time_zone');
    assert.equal(field({ time_zone: 'UTC', hours: { mon: [['18:00', '09:00']] } }), 'hours.mon[0]');
    assert.equal(field({ time_zone: 'UTC', hours: { someday: [] } }), 'hours.someday');
    assert.equal(field({ time_zone: 'UTC', hours: {}, holidays: ['25/12/2026'] }), 'holidays[0]');
  });
});
