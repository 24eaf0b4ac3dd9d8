import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WEEKDAYS } from '../automations/business-hours.policy.ts';
import {
  insideWindow,
  localAt,
  nextDue,
  nextOpening,
  zoneOf,
  type SendWindow,
  type Zone,
} from './send-window.policy.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const instant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) });
const delay = fc.integer({ min: 0, max: 30 * 24 * HOUR });
const zone: fc.Arbitrary<Zone> = fc.oneof(
  fc.integer({ min: -12, max: 14 }).map((h) => ({ offsetMinutes: h * 60 })),
  fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney').map((timeZone) => ({
    timeZone,
  })),
);
const window: fc.Arbitrary<SendWindow> = fc
  .record({
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    from: fc.integer({ min: 0, max: 24 * 60 - 1 }),
    length: fc.integer({ min: 1, max: 24 * 60 }),
  })
  .map(({ days, from, length }) => ({ days, from, to: Math.min(24 * 60, from + length) }));

test('the next due time is never before the delay and always inside the window', () => {
  fc.assert(
    fc.property(instant, delay, window, zone, (previous, d, w, z) => {
      const due = nextDue(previous, d, w, z);
      assert.ok(due >= previous + d, 'never before the delay');
      assert.ok(insideWindow(due, w, z), `inside the window (${JSON.stringify(localAt(due, z))})`);
    }),
    { numRuns: 500 },
  );
});

test('a time already inside the window is kept as it is: nothing waits that need not', () => {
  fc.assert(
    fc.property(instant, delay, window, zone, (previous, d, w, z) => {
      if (!insideWindow(previous + d, w, z)) return;
      assert.equal(nextDue(previous, d, w, z), previous + d);
    }),
  );
});

test('with a fixed offset the opening found is the first: no minute between the earliest time and it is inside', () => {
  fc.assert(
    fc.property(
      instant.map((t) => t - (t % MINUTE)),
      window,
      fc.integer({ min: -12, max: 14 }),
      (at, w, h) => {
        const z = { offsetMinutes: h * 60 };
        const open = nextOpening(at, w, z)!;
        for (let t = at; t < open; t += 15 * MINUTE) assert.ok(!insideWindow(t, w, z));
        if (open > at) assert.ok(!insideWindow(open - MINUTE, w, z));
      },
    ),
    { numRuns: 200 },
  );
});

test('without a window a step is due exactly its delay after the previous one', () => {
  fc.assert(fc.property(instant, delay, zone, (p, d, z) => assert.equal(nextDue(p, d, null, z), p + d)));
});

test("a weekday morning window in the contact's zone: Friday 19:00 in UTC+2 waits for Monday 09:00 there", () => {
  const w: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: 9 * 60, to: 12 * 60 };
  const friday19 = Date.UTC(2026, 11, 4, 17); // 19:00 at UTC+2
  assert.equal(nextDue(friday19, 0, w, zoneOf(2, null)), Date.UTC(2026, 11, 7, 7));
  // The contact's offset wins over the Page's zone; without it the Page's zone is used (Paris is UTC+1 in December).
  assert.equal(nextDue(friday19, 0, w, zoneOf(null, 'Europe/Paris')), Date.UTC(2026, 11, 7, 8));
  assert.deepEqual(zoneOf(null, null), { offsetMinutes: 0 });
});

test('across a daylight saving change the opening is the local time of that day', () => {
  const w: SendWindow = { days: [...WEEKDAYS], from: 9 * 60, to: 10 * 60 };
  // New York moves to summer time on 2026-03-08: 09:00 is 13:00 UTC that day, 14:00 UTC the day before.
  assert.equal(nextOpening(Date.UTC(2026, 2, 7, 15), w, { timeZone: 'America/New_York' }), Date.UTC(2026, 2, 8, 13));
  assert.equal(nextOpening(Date.UTC(2026, 2, 7, 1), w, { timeZone: 'America/New_York' }), Date.UTC(2026, 2, 7, 14));
});
