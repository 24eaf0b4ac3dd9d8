// What a rule is (checked as an operator sends it, 400 naming the field) and which inbound events its trigger
// matches. Pure: the hook gathers the facts, this file decides.
import { AppError } from '../../errors.ts';
import { buildMessage } from '../messaging/message-body.ts';
import { checkRegex } from './safe-regex.policy.ts';

export const TRIGGER_TYPES = [
  'get_started',
  'keyword',
  'postback',
  'quick_reply',
  'referral',
  'first_message',
  'outside_hours',
  'unanswered',
  'order_status',
  'default',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const ACTION_TYPES = [
  'send',
  'tag',
  'untag',
  'set_attribute',
  'assign',
  'set_status',
  'handover',
  'start_sequence',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type Trigger =
  | { type: 'get_started'; payload: string }
  | { type: 'keyword'; match: 'is' | 'contains' | 'regex'; keywords: string[] }
  | { type: 'postback' | 'quick_reply'; payloads: string[] }
  | { type: 'referral'; refs: string[] }
  | { type: 'first_message' | 'order_status' }
  | { type: 'outside_hours' | 'default'; cap_minutes: number }
  | { type: 'unanswered'; minutes: number };

export type Action =
  | { type: 'send'; message: Record<string, unknown> }
  | { type: 'tag' | 'untag'; tag: string }
  | { type: 'set_attribute'; key: string; value: unknown }
  | { type: 'assign'; user_id: string }
  | { type: 'set_status'; status: 'open' | 'pending' | 'resolved' }
  | { type: 'handover'; max_open_per_agent: number }
  | { type: 'start_sequence'; sequence_id: string };

export const MAX_KEYWORDS = 50;
export const MAX_KEYWORD_CHARS = 100;
export const MAX_ACTIONS = 10;
export const MAX_PAYLOAD_CHARS = 1000;
/** Variables a send's text may hold: the order the message asked about (order_status rules). */
export const SEND_VARIABLES = ['order.number', 'order.status'] as const;
export const DEFAULT_CAP_MINUTES = { default: 60, outside_hours: 12 * 60 } as const;
export const DEFAULT_MAX_OPEN_PER_AGENT = 20;
export const GET_STARTED_PAYLOAD = 'GET_STARTED';

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { field });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(raw: unknown, field: string, max: number, maxChars: number): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > max) throw invalid(field, `give 1 to ${max} values`);
  return raw.map((v, i) => {
    if (typeof v !== 'string' || v.trim() === '' || [...v].length > maxChars)
      throw invalid(`${field}[${i}]`, `a value is 1 to ${maxChars} characters`);
    return v.trim();
  });
}

function int(raw: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw invalid(field, `an integer from ${min} to ${max}`);
  return raw;
}

/** Accents removed (a pattern keeps its case: `\\D` is not `\\d`; regexes run case-insensitively). */
export function stripMarks(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}

/** Case and accents folded, spaces collapsed: "Envío  GRATIS" and "envio gratis" read the same. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** The words of a folded text (letters and digits), for "is" and "contains". */
function words(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export function checkTrigger(raw: unknown): Trigger {
  if (!isRecord(raw)) throw invalid('trigger', 'an object with a type');
  const type = raw.type;
  if (typeof type !== 'string' || !(TRIGGER_TYPES as readonly string[]).includes(type))
    throw invalid('trigger.type', `one of ${TRIGGER_TYPES.join(', ')}`);
  switch (type as TriggerType) {
    case 'get_started': {
      const payload = raw.payload ?? GET_STARTED_PAYLOAD;
      if (typeof payload !== 'string' || payload === '' || payload.length > MAX_PAYLOAD_CHARS)
        throw invalid('trigger.payload', `1 to ${MAX_PAYLOAD_CHARS} characters`);
      return { type: 'get_started', payload };
    }
    case 'keyword': {
      const match = raw.match ?? 'contains';
      if (match !== 'is' && match !== 'contains' && match !== 'regex')
        throw invalid('trigger.match', 'is, contains or regex');
      const keywords = strings(raw.keywords, 'trigger.keywords', MAX_KEYWORDS, MAX_KEYWORD_CHARS);
      keywords.forEach((k, i) => {
        if (match === 'regex') {
          const verdict = checkRegex(stripMarks(k));
          if (!verdict.safe) throw invalid(`trigger.keywords[${i}]`, verdict.reason);
        } else if (words(k).length === 0) throw invalid(`trigger.keywords[${i}]`, 'a keyword holds a letter or digit');
      });
      return { type: 'keyword', match, keywords };
    }
    case 'postback':
    case 'quick_reply':
      return {
        type: type as 'postback' | 'quick_reply',
        payloads: strings(raw.payloads, 'trigger.payloads', MAX_KEYWORDS, MAX_PAYLOAD_CHARS),
      };
    case 'referral':
      return { type: 'referral', refs: strings(raw.refs, 'trigger.refs', MAX_KEYWORDS, 250) };
    case 'first_message':
    case 'order_status':
      return { type: type as 'first_message' | 'order_status' };
    case 'outside_hours':
    case 'default': {
      const t = type as 'outside_hours' | 'default';
      return {
        type: t,
        cap_minutes: int(raw.cap_minutes, 'trigger.cap_minutes', 0, 7 * 24 * 60, DEFAULT_CAP_MINUTES[t]),
      };
    }
    case 'unanswered':
      return { type: 'unanswered', minutes: int(raw.minutes, 'trigger.minutes', 1, 7 * 24 * 60) };
  }
}

function checkSend(raw: Record<string, unknown>, field: string): Action {
  const content = isRecord(raw.message) ? raw.message : raw;
  try {
    const built = buildMessage({
      text: content.text,
      attachment: content.attachment,
      quick_replies: content.quick_replies,
    });
    if (typeof built.message.text === 'string') {
      for (const m of built.message.text.matchAll(/\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}/gi))
        if (!(SEND_VARIABLES as readonly string[]).includes(m[1]!))
          throw new AppError('validation_failed', `unknown variable ${m[1]!} (known: ${SEND_VARIABLES.join(', ')})`);
    }
    return { type: 'send', message: built.message };
  } catch (err) {
    if (err instanceof AppError) throw invalid(`${field}.message`, err.message);
    throw err;
  }
}

export function checkAction(raw: unknown, i: number): Action {
  const field = `actions[${i}]`;
  if (!isRecord(raw)) throw invalid(field, 'an object with a type');
  const type = raw.type;
  if (typeof type !== 'string' || !(ACTION_TYPES as readonly string[]).includes(type))
    throw invalid(`${field}.type`, `one of ${ACTION_TYPES.join(', ')}`);
  switch (type as ActionType) {
    case 'send':
      return checkSend(raw, field);
    case 'tag':
    case 'untag':
      if (typeof raw.tag !== 'string' || raw.tag.trim() === '' || raw.tag.length > 50)
        throw invalid(`${field}.tag`, 'a tag of 1 to 50 characters');
      return { type: type as 'tag' | 'untag', tag: raw.tag };
    case 'set_attribute':
      if (typeof raw.key !== 'string' || raw.key === '') throw invalid(`${field}.key`, 'an attribute key');
      if (!('value' in raw)) throw invalid(`${field}.value`, 'a value (null removes it)');
      return { type: 'set_attribute', key: raw.key, value: raw.value };
    case 'assign':
      if (typeof raw.user_id !== 'string' || raw.user_id === '') throw invalid(`${field}.user_id`, 'an operator id');
      return { type: 'assign', user_id: raw.user_id };
    case 'set_status':
      if (raw.status !== 'open' && raw.status !== 'pending' && raw.status !== 'resolved')
        throw invalid(`${field}.status`, 'open, pending or resolved');
      return { type: 'set_status', status: raw.status };
    case 'start_sequence':
      // That the sequence exists on the rule's Page is checked where the rule is stored (automations.ts).
      if (typeof raw.sequence_id !== 'string' || raw.sequence_id === '')
        throw invalid(`${field}.sequence_id`, 'a sequence id of the same Page');
      return { type: 'start_sequence', sequence_id: raw.sequence_id };
    case 'handover':
      return {
        type: 'handover',
        max_open_per_agent: int(
          raw.max_open_per_agent,
          `${field}.max_open_per_agent`,
          1,
          10_000,
          DEFAULT_MAX_OPEN_PER_AGENT,
        ),
      };
  }
}

export function checkActions(raw: unknown): Action[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ACTIONS)
    throw invalid('actions', `give 1 to ${MAX_ACTIONS} actions`);
  return raw.map(checkAction);
}

export function checkName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '' || [...raw.trim()].length > 100)
    throw invalid('name', '1 to 100 characters');
  return raw.trim();
}

/** What one inbound event offers to triggers; `text` only for a typed message (not a quick reply's title). */
export interface InboundFacts {
  kind: 'message' | 'postback' | 'referral';
  text: string | null;
  /** A postback's payload. */
  postbackPayload: string | null;
  quickReplyPayload: string | null;
  /** The referral refs carried by the event (a referral, or a message or postback opened through a link). */
  refs: string[];
}

/** Whether a keyword trigger matches a text: folded "is" (the whole text), "contains" (whole words), or a regex. */
export function keywordMatches(t: Extract<Trigger, { type: 'keyword' }>, text: string): boolean {
  if (t.match === 'regex') {
    const folded = fold(text);
    return t.keywords.some((k) => new RegExp(stripMarks(k), 'iu').test(folded));
  }
  const said = words(text);
  return t.keywords.some((k) => {
    const kw = words(k);
    if (t.match === 'is') return kw.length === said.length && kw.every((w, i) => w === said[i]);
    for (let i = 0; i + kw.length <= said.length; i++) if (kw.every((w, j) => w === said[i + j])) return true;
    return false;
  });
}

/**
 * Whether a trigger that depends on the event alone matches it. `first_message`, `outside_hours`, `order_status` and
 * `default` need facts the hook looks up; `unanswered` runs from the background loop.
 */
export function eventTriggerMatches(t: Trigger, f: InboundFacts): boolean {
  switch (t.type) {
    case 'get_started':
      return f.kind === 'postback' && f.postbackPayload === t.payload;
    case 'keyword':
      return f.kind === 'message' && f.text !== null && keywordMatches(t, f.text);
    case 'postback':
      return f.kind === 'postback' && f.postbackPayload !== null && t.payloads.includes(f.postbackPayload);
    case 'quick_reply':
      return f.kind === 'message' && f.quickReplyPayload !== null && t.payloads.includes(f.quickReplyPayload);
    case 'referral':
      return f.refs.some((r) => t.refs.includes(r));
    default:
      return false;
  }
}

/** Payloads a rule's own sends offer (quick replies, buttons): a rule triggered by one of them can loop on itself. */
export function offeredPayloads(actions: readonly Action[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'payload' && typeof x === 'string') out.add(x);
        else walk(x);
      }
    }
  };
  for (const a of actions) if (a.type === 'send') walk(a.message);
  return out;
}

/** The order-number candidates in a text: runs of letters, digits and - _ that hold a digit, without a leading #. */
export function orderNumberCandidates(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/#?([\p{L}\p{N}][\p{L}\p{N}_-]{1,63})/gu)) if (/\d/.test(m[1]!)) out.add(m[1]!);
  return [...out].slice(0, 20);
}

/** A send's text with the order variables filled. */
export function renderSendText(text: string, values: { 'order.number'?: string; 'order.status'?: string }): string {
  return text.replace(
    /\{\{\s*(order\.number|order\.status)\s*\}\}/g,
    (_w, name: 'order.number' | 'order.status') => values[name] ?? '',
  );
}
