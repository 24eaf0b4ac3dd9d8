// What a sequence is (checked as an operator sends it: a 400 naming the field) and what happens to a person's due
// step at send time. Pure: the sender gathers the facts, this file decides.
//
// A step is a follow-up the business sends on its own: a proactive, possibly promotional message, so it is decided
// as a campaign send (author `campaign`): inside the 24-hour window it goes (messaging_type UPDATE) unless the person
// withdrew marketing consent; outside it, only where a marketing token allows. A step the window no longer allows is
// skipped with the reason; when the sequence stops on reply the person then leaves (reason `outside_window`): only a
// message of theirs could reopen the window, and that message would end the sequence anyway. Otherwise they move on
// to the next step, which goes if they wrote since.
import { AppError } from '../../errors.ts';
import { WEEKDAYS, type Weekday } from '../automations/business-hours.policy.ts';
import { unknownVariables, messageTexts } from '../campaigns/campaign-message.ts';
import { buildMessage, type BuiltMessage } from '../messaging/message-body.ts';
import { decideSend, type RefusalReason, type SendPolicyInput } from '../messaging/send.policy.ts';
import type { SendWindow } from './send-window.policy.ts';

export const MAX_STEPS = 20;
export const MAX_SEQUENCE_NAME_CHARS = 100;
/** The longest delay a step may wait: a year. */
export const MAX_DELAY_MS = 365 * 24 * 60 * 60 * 1000;

export interface StepDelay {
  days?: number;
  hours?: number;
  minutes?: number;
}

/** A step as stored and shown: its delay, its message (with variables) and its send window (null: any time). */
export interface Step {
  delay: StepDelay;
  message: Record<string, unknown>;
  send_window: { days: Weekday[]; hours: [string, string] } | null;
}

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { field });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function delayMs(d: StepDelay): number {
  return ((d.days ?? 0) * 24 * 60 + (d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60_000;
}

export function windowOf(step: Step): SendWindow | null {
  if (step.send_window === null) return null;
  return {
    days: step.send_window.days,
    from: minutesOf(step.send_window.hours[0]),
    to: minutesOf(step.send_window.hours[1]),
  };
}

export function checkName(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('name', `1 to ${MAX_SEQUENCE_NAME_CHARS} characters`);
  const n = raw.trim().replace(/\s+/g, ' ');
  if (n === '' || [...n].length > MAX_SEQUENCE_NAME_CHARS)
    throw invalid('name', `1 to ${MAX_SEQUENCE_NAME_CHARS} characters`);
  return n;
}

function checkDelay(raw: unknown, field: string): StepDelay {
  if (!isRecord(raw)) throw invalid(field, 'an object such as {"hours": 24} (days, hours, minutes)');
  const out: StepDelay = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k !== 'days' && k !== 'hours' && k !== 'minutes') throw invalid(`${field}.${k}`, 'days, hours or minutes');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalid(`${field}.${k}`, 'a whole number ≥ 0');
    out[k] = v;
  }
  if (delayMs(out) > MAX_DELAY_MS) throw invalid(field, 'at most 365 days');
  return out;
}

function checkWindow(raw: unknown, field: string): Step['send_window'] {
  if (raw === null || raw === undefined) return null;
  if (!isRecord(raw)) throw invalid(field, 'an object {"days": ["mon", …], "hours": ["09:00", "18:00"]}');
  const days = raw.days ?? [...WEEKDAYS];
  if (
    !Array.isArray(days) ||
    days.length === 0 ||
    !days.every((d) => typeof d === 'string' && (WEEKDAYS as readonly string[]).includes(d))
  )
    throw invalid(`${field}.days`, 'one or more of mon, tue, wed, thu, fri, sat, sun');
  const hours = raw.hours ?? ['00:00', '24:00'];
  if (
    !Array.isArray(hours) ||
    hours.length !== 2 ||
    !hours.every((t) => typeof t === 'string' && TIME.test(t)) ||
    hours[0] === '24:00' ||
    minutesOf(hours[0] as string) >= minutesOf(hours[1] as string)
  )
    throw invalid(`${field}.hours`, '["HH:MM", "HH:MM"], opening before closing within one day (close may be 24:00)');
  const ordered = WEEKDAYS.filter((d) => (days as string[]).includes(d));
  return { days: ordered, hours: [hours[0] as string, hours[1] as string] };
}

function checkMessage(raw: unknown, field: string): BuiltMessage {
  if (!isRecord(raw)) throw invalid(field, 'a message {"text"} or {"attachment"}, with optional quick_replies');
  let built: BuiltMessage;
  try {
    built = buildMessage({ text: raw.text, attachment: raw.attachment, quick_replies: raw.quick_replies });
  } catch (err) {
    if (err instanceof AppError) throw invalid(field, err.message);
    throw err;
  }
  const unknown = unknownVariables(messageTexts(built.message));
  if (unknown.length)
    throw invalid(
      field,
      `unknown variable ${unknown.map((v) => `{{${v}}}`).join(', ')}: use contact.first_name, contact.last_name, ` +
        'contact.name, attribute.<key>, orders.count or orders.last.external_id|status|total|currency',
    );
  return built;
}

/** The steps as an operator sends them, checked whole: 1 to MAX_STEPS, each with a delay and a message. */
export function checkSteps(raw: unknown): Step[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_STEPS)
    throw invalid('steps', `give 1 to ${MAX_STEPS} steps`);
  return raw.map((s, i) => {
    const field = `steps[${i}]`;
    if (!isRecord(s)) throw invalid(field, 'an object {"delay", "message", "send_window"?}');
    return {
      delay: checkDelay(s.delay ?? {}, `${field}.delay`),
      message: checkMessage(s.message, `${field}.message`).message,
      send_window: checkWindow(s.send_window, `${field}.send_window`),
    };
  });
}

/** What the sender does with a due step: send it, skip it (and move on or leave), or leave at once, or wait. */
export type StepDecision =
  | { action: 'send' }
  | { action: 'skip'; reason: string; leave: boolean }
  | { action: 'leave'; reason: string }
  | { action: 'wait'; reason: string };

/** The facts about the person and the Page as the step falls due. */
export interface StepFacts extends Omit<SendPolicyInput, 'author' | 'now'> {
  psidInvalid: boolean;
  /** A human handles the person's conversation now: a follow-up would talk over them. */
  handledByHuman: boolean;
  stopOnReply: boolean;
}

// Refusals that say the person cannot or must not be reached any more: they leave.
const LEAVE: readonly RefusalReason[] = ['erased', 'unreachable', 'opted_out'];
// The Page cannot send now: nobody moves, the step is tried again later.
const WAIT: readonly RefusalReason[] = ['page_unauthorized', 'page_disabled'];

/**
 * The decision for a due step at `now`, through the same send policy the outbox applies (a campaign send). A person
 * who withdrew marketing consent leaves (`opted_out`); a closed window skips the step (and, with stop-on-reply,
 * ends the subscription); a conversation a human handles now skips the step and moves on.
 */
export function decideStep(f: StepFacts, now: number): StepDecision {
  const d = decideSend({ ...f, author: 'campaign', now });
  if (!d.allowed) {
    if (LEAVE.includes(d.reason)) return { action: 'leave', reason: d.reason };
    if (WAIT.includes(d.reason)) return { action: 'wait', reason: d.reason };
    if (d.reason === 'no_marketing_consent' && f.consent.marketing === 'withdrawn')
      return { action: 'leave', reason: 'opted_out' };
  }
  if (f.psidInvalid) return { action: 'leave', reason: 'unreachable' };
  if (d.allowed)
    return f.handledByHuman ? { action: 'skip', reason: 'human_handling', leave: false } : { action: 'send' };
  // The window is closed (or the person never wrote): the reason names the window, as a campaign's does.
  const reason =
    d.reason === 'no_marketing_consent'
      ? f.lastUserActionAt === null
        ? 'no_user_action'
        : 'outside_window'
      : d.reason;
  return { action: 'skip', reason, leave: f.stopOnReply };
}
