import type { WebhookEvent } from '../../platform/index.ts';

/** An interest is a short label; a payload longer than this is cut (it still counts, under its first characters). */
export const MAX_INTEREST_CHARS = 200;

/**
 * The Get Started button's payload says only that a conversation began, not what the person wants: it is not an
 * interest. Pages name it GET_STARTED by convention (the emulator and most tools do); any other payload counts.
 */
const GET_STARTED = /^get[_ -]?started$/i;

export function interestOf(kind: 'category' | 'payload' | 'ref', value: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  return [...`${kind}:${v}`].slice(0, MAX_INTEREST_CHARS).join('');
}

/**
 * What an inbound event says a person is interested in: a postback's or quick reply's payload (not Get Started),
 * and the `ref` of an m.me link or ad they followed (alone, with Get Started, or with a message).
 */
export function interestsOfEvent(event: WebhookEvent): string[] {
  const out: string[] = [];
  const add = (v: string | null) => {
    if (v !== null && !out.includes(v)) out.push(v);
  };
  if (event.kind === 'postback' || event.kind === 'message') {
    const payload = event.kind === 'postback' ? event.payload : event.quickReplyPayload;
    if (payload !== undefined && !(event.kind === 'postback' && GET_STARTED.test(payload.trim())))
      add(interestOf('payload', payload));
    if (event.referral?.ref !== undefined) add(interestOf('ref', event.referral.ref));
  }
  if (event.kind === 'referral' && event.ref !== undefined) add(interestOf('ref', event.ref));
  return out;
}

/** The m.me `ref` an inbound event carries, if any. */
export function refOfEvent(event: WebhookEvent): string | undefined {
  if (event.kind === 'referral') return event.ref;
  if (event.kind === 'postback' || event.kind === 'message') return event.referral?.ref;
  return undefined;
}
