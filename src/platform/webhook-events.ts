import type { WebhookChannel, WebhookEnvelope, WebhookEvent } from './webhook-event.types.ts';
import { parseChangeItem, parseMessagingItem, unknownEvent, type ItemContext } from './webhook-items.ts';
import { isObject, Malformed, optId, optTime } from './webhook-read.ts';

export type * from './webhook-event.types.ts';

export type EnvelopeRefusal = 'not_an_object' | 'object_not_string' | 'entry_not_array';
export type EnvelopeResult = { ok: true; envelope: WebhookEnvelope } | { ok: false; reason: EnvelopeRefusal };

/** Accepts exactly Meta's envelope shape `{object: string, entry: array}`; anything else is not a webhook (400). */
export function parseEnvelope(json: unknown): EnvelopeResult {
  if (!isObject(json)) return { ok: false, reason: 'not_an_object' };
  if (typeof json.object !== 'string') return { ok: false, reason: 'object_not_string' };
  if (!Array.isArray(json.entry)) return { ok: false, reason: 'entry_not_array' };
  return { ok: true, envelope: { object: json.object, entry: json.entry } };
}

/**
 * The time a body gives of itself (its first entry's `time`, in milliseconds), or null when it gives none that reads
 * as a time: a retry of the same bytes gives the same one.
 */
export function envelopeTime(envelope: WebhookEnvelope): number | null {
  const first = envelope.entry[0];
  if (!isObject(first)) return null;
  try {
    return optTime(first, 'time', 'entry') ?? null;
  } catch (error) {
    if (error instanceof Malformed) return null;
    throw error;
  }
}

const ARRAYS: [key: string, channel: WebhookChannel][] = [
  ['messaging', 'messaging'],
  ['standby', 'standby'],
  ['changes', 'changes'],
];

/**
 * Every event of every entry, in order: all `messaging`, `standby` and `changes` items, never only the first.
 * Total: malformed entries and items come back as `unknown` events and nothing throws.
 */
export function extractEvents(envelope: WebhookEnvelope): WebhookEvent[] {
  return envelope.entry.flatMap((entry) => eventsOfEntry(entry));
}

function eventsOfEntry(entry: unknown): WebhookEvent[] {
  if (!isObject(entry)) return [unknownEvent(entry, { channel: 'messaging' }, 'entry_not_object')];
  let context: Omit<ItemContext, 'channel'>;
  try {
    const entryId = optId(entry, 'id', 'entry');
    const entryTime = optTime(entry, 'time', 'entry');
    context = { ...(entryId !== undefined && { entryId }), ...(entryTime !== undefined && { entryTime }) };
  } catch (error) {
    if (error instanceof Malformed) return [unknownEvent(entry, { channel: 'messaging' }, error.message)];
    throw error;
  }
  const events: WebhookEvent[] = [];
  let sawArray = false;
  for (const [key, channel] of ARRAYS) {
    const items = entry[key];
    if (items === undefined || items === null) continue;
    sawArray = true;
    if (!Array.isArray(items)) {
      events.push(unknownEvent(items, { ...context, channel }, `entry.${key}: expected array`));
      continue;
    }
    const parse = key === 'changes' ? parseChangeItem : parseMessagingItem;
    for (const item of items) events.push(parse(item, { ...context, channel }));
  }
  if (!sawArray) events.push(unknownEvent(entry, { ...context, channel: 'messaging' }, 'entry_without_events'));
  return events;
}
