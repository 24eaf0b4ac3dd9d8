// When a sequence's step may go: its delay after the previous step (or the subscription), then the next opening of
// its send window (hours and days of the week) in the person's time zone. Pure.
//
// The person's zone is the contact's `timezone` (whole hours from UTC, as Meta's profile gives it), else the Page's
// time zone (the IANA zone of its business hours, daylight saving time included), else UTC.
import { localTime, WEEKDAYS, type Weekday } from '../automations/business-hours.policy.ts';

/** A zone as an offset from UTC (a contact's profile) or an IANA time zone (the Page's business hours). */
export type Zone = { offsetMinutes: number } | { timeZone: string };

/** A send window: local `[from, to)` minutes of the day on the given weekdays. */
export interface SendWindow {
  days: readonly Weekday[];
  from: number;
  to: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The zone a person's steps are timed in. */
export function zoneOf(contactTimezone: number | null, pageTimeZone: string | null): Zone {
  if (contactTimezone !== null && Number.isFinite(contactTimezone)) return { offsetMinutes: contactTimezone * 60 };
  if (pageTimeZone) return { timeZone: pageTimeZone };
  return { offsetMinutes: 0 };
}

/** The local weekday and minute of the day at `at` (the minute counting seconds as fractions). */
export function localAt(at: number, zone: Zone): { date: string; weekday: Weekday; minute: number } {
  if ('offsetMinutes' in zone) {
    const d = new Date(at + zone.offsetMinutes * MINUTE_MS);
    return {
      date: d.toISOString().slice(0, 10),
      weekday: WEEKDAYS[(d.getUTCDay() + 6) % 7]!,
      minute:
        d.getUTCHours() * 60 + d.getUTCMinutes() + (d.getUTCSeconds() * 1000 + d.getUTCMilliseconds()) / MINUTE_MS,
    };
  }
  const l = localTime(at, zone.timeZone);
  const d = new Date(at);
  return { ...l, minute: l.minute + (d.getUTCSeconds() * 1000 + d.getUTCMilliseconds()) / MINUTE_MS };
}

/** Whether `at` lies inside the window in the zone. */
export function insideWindow(at: number, w: SendWindow, zone: Zone): boolean {
  const l = localAt(at, zone);
  return w.days.includes(l.weekday) && l.minute >= w.from && l.minute < w.to;
}

/** The instant of a local date (`YYYY-MM-DD`) and minute of the day in the zone (the later one across a DST gap). */
function instantOf(date: string, minute: number, zone: Zone): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minute * MINUTE_MS;
  if ('offsetMinutes' in zone) return wall - zone.offsetMinutes * MINUTE_MS;
  // The zone's offset at an instant: its local wall clock read as UTC, minus the instant.
  const offsetAt = (t: number) => {
    const l = localTime(t, zone.timeZone);
    return Date.parse(`${l.date}T00:00:00Z`) + l.minute * MINUTE_MS - Math.floor(t / MINUTE_MS) * MINUTE_MS;
  };
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  return Math.max(first, second);
}

/**
 * The first instant at or after `at` inside the window: `at` itself when it is inside, else the window's next
 * opening (searched over the coming two weeks: a window holds at least one weekday). Null only for an empty window.
 */
export function nextOpening(at: number, w: SendWindow, zone: Zone): number | null {
  if (w.days.length === 0 || w.from >= w.to) return null;
  if (insideWindow(at, w, zone)) return at;
  const today = localAt(at, zone).date;
  for (let k = 0; k <= 15; k++) {
    const date = new Date(Date.parse(`${today}T00:00:00Z`) + k * DAY_MS).toISOString().slice(0, 10);
    const weekday = WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7]!;
    if (!w.days.includes(weekday)) continue;
    const open = instantOf(date, w.from, zone);
    // Across a daylight saving gap the opening may not exist as written: an hour later it does.
    for (const candidate of [open, open + 60 * MINUTE_MS])
      if (candidate >= at && insideWindow(candidate, w, zone)) return candidate;
  }
  return null;
}

/**
 * When a step falls due: `delayMs` after `previousAt` (the previous step's send, or the subscription), moved to the
 * window's next opening when it falls outside it. Never before the delay; inside the window when there is one.
 */
export function nextDue(previousAt: number, delayMs: number, window: SendWindow | null, zone: Zone): number {
  const earliest = previousAt + delayMs;
  if (window === null) return earliest;
  return nextOpening(earliest, window, zone) ?? earliest;
}
