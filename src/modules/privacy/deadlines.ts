// Deadlines for data subject requests, in UTC.
//
// GDPR Art. 12(3): answer "within one month of receipt", extendable "by two further months" when the person is told
// within the first month. A calendar month ends on the same date next month, or on that month's last day when the date
// does not exist (31 January → 28/29 February). The deadline keeps the time of day of receipt rather than running to
// midnight: a few hours early, never late. The extension runs two months from the first deadline, the earlier of the
// two readings of "two further months" (31 January → 28 February → 28 April, not 30 April).
// CCPA (Cal. Civ. Code §1798.130(a)(2)): 45 days, extendable once by 45 more with notice within the first 45 days.

export type Regime = 'gdpr' | 'ccpa';

const DAY_MS = 24 * 60 * 60 * 1000;
export const CCPA_PERIOD_MS = 45 * DAY_MS;
/** How long before the deadline `warningAt` falls by default. */
export const DEFAULT_WARNING_MS = 7 * DAY_MS;

/** The same UTC date and time `months` later, clamped to the last day of a shorter month. */
export function addCalendarMonths(at: number, months: number): number {
  const d = new Date(at);
  const firstOfTarget = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
  const target = new Date(firstOfTarget);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const timeOfDay = at - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return firstOfTarget + (Math.min(d.getUTCDate(), lastDay) - 1) * DAY_MS + timeOfDay;
}

/** When the answer is due; with `extended`, the single extension the regime allows. */
export function computeDueAt(regime: Regime, receivedAt: number, extended: boolean): number {
  if (regime === 'ccpa') return receivedAt + (extended ? 2 : 1) * CCPA_PERIOD_MS;
  const firstPeriodEnd = addCalendarMonths(receivedAt, 1);
  return extended ? addCalendarMonths(firstPeriodEnd, 2) : firstPeriodEnd;
}

/** Whether a notice given at `noticeAt` allows the extension: it must fall within the first period, deadline included. */
export function canExtend(regime: Regime, receivedAt: number, noticeAt: number): boolean {
  return noticeAt >= receivedAt && noticeAt <= computeDueAt(regime, receivedAt, false);
}

/** When to warn the operators: `leadMs` before the deadline, but never before the request arrived. */
export function warningAt(
  regime: Regime,
  receivedAt: number,
  extended: boolean,
  leadMs: number = DEFAULT_WARNING_MS,
): number {
  return Math.max(receivedAt, computeDueAt(regime, receivedAt, extended) - leadMs);
}

/** Whether an unanswered request is late at `now`; the deadline instant itself is still on time. */
export function isOverdue(regime: Regime, receivedAt: number, extended: boolean, now: number): boolean {
  return now > computeDueAt(regime, receivedAt, extended);
}
