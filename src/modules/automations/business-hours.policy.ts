// Business hours: whether a Page is open at an instant, in its own IANA time zone (daylight saving time included,
// through the runtime's time zone data), with holidays as local dates. Pure.
import { AppError } from '../../errors.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Per weekday, intervals `[open, close)` as local `HH:MM` (close may be `24:00`); a day left out is closed. */
export type WeeklyHours = Partial<Record<Weekday, [string, string][]>>;

export interface BusinessHours {
  time_zone: string;
  hours: WeeklyHours;
  /** Local dates `YYYY-MM-DD` when the business is closed all day. */
  holidays: string[];
}

export const MAX_INTERVALS_PER_DAY = 6;
export const MAX_HOLIDAYS = 366;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const invalid = (field: string, message: string) => new AppError('validation_failed', message, { field });

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0 && tz.length <= 64;
  } catch {
    return false;
  }
}

/** Checks business hours as an operator sends them; throws `validation_failed` naming the field. */
export function checkBusinessHours(input: { time_zone: unknown; hours: unknown; holidays?: unknown }): BusinessHours {
  if (typeof input.time_zone !== 'string' || !isTimeZone(input.time_zone))
    throw invalid('time_zone', 'time_zone must be an IANA time zone such as Europe/Paris');
  if (typeof input.hours !== 'object' || input.hours === null || Array.isArray(input.hours))
    throw invalid('hours', 'hours must be an object by weekday (mon … sun)');
  const hours: WeeklyHours = {};
  for (const [day, raw] of Object.entries(input.hours as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) throw invalid(`hours.${day}`, 'weekdays are mon … sun');
    if (!Array.isArray(raw) || raw.length > MAX_INTERVALS_PER_DAY)
      throw invalid(`hours.${day}`, `a day holds at most ${MAX_INTERVALS_PER_DAY} [open, close] intervals`);
    const intervals = raw.map((iv, i): [string, string] => {
      const field = `hours.${day}[${i}]`;
      if (!Array.isArray(iv) || iv.length !== 2 || !iv.every((t) => typeof t === 'string' && TIME.test(t)))
        throw invalid(field, 'an interval is ["HH:MM", "HH:MM"] (close may be 24:00)');
      const [open, close] = iv as [string, string];
      if (open === '24:00' || minutesOf(open) >= minutesOf(close))
        throw invalid(field, 'an interval opens before it closes, within one day');
      return [open, close];
    });
    hours[day as Weekday] = intervals.sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
  }
  const holidays = input.holidays ?? [];
  if (!Array.isArray(holidays) || holidays.length > MAX_HOLIDAYS)
    throw invalid('holidays', `holidays is a list of at most ${MAX_HOLIDAYS} dates`);
  holidays.forEach((d, i) => {
    if (typeof d !== 'string' || !DATE.test(d)) throw invalid(`holidays[${i}]`, 'a holiday is a date YYYY-MM-DD');
  });
  return { time_zone: input.time_zone, hours, holidays: [...new Set(holidays as string[])].sort() };
}

/** The local date, weekday and minute of the day at `at` in the time zone. */
export function localTime(at: number, timeZone: string): { date: string; weekday: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    weekday: get('weekday').toLowerCase().slice(0, 3) as Weekday,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Whether the business is open at `at`: not a holiday, and inside one of the weekday's intervals. */
export function isOpenAt(hours: BusinessHours, at: number): boolean {
  const local = localTime(at, hours.time_zone);
  if (hours.holidays.includes(local.date)) return false;
  return (hours.hours[local.weekday] ?? []).some(
    ([open, close]) => local.minute >= minutesOf(open) && local.minute < minutesOf(close),
  );
}
