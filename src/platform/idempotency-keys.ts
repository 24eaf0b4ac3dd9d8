import { createHash } from 'node:crypto';
import type { UnkeyedEvent } from './webhook-event.types.ts';

/**
 * Derives a key that is identical for every redelivery of one event and distinct between events of one Page.
 * Messages and echoes use Meta's `mid` as is (the product's natural key is `(page_id, mid)`); other kinds get a
 * prefixed key. PSIDs, user_refs, tokens and payloads only enter keys hashed, so keys are safe to store and log.
 */
export function idempotencyKeyOf(event: UnkeyedEvent): string {
  const person = event.kind === 'change' || event.kind === 'unknown' ? undefined : (event.psid ?? event.userRef);
  const who = () => digest(event.pageId, person);
  switch (event.kind) {
    case 'message':
    case 'echo':
      return event.mid;
    case 'postback':
      return event.mid !== undefined
        ? `postback:${event.mid}`
        : `postback:${digest(event.pageId, person, event.timestamp, event.payload, event.title)}`;
    case 'read':
    case 'delivery':
      return `${event.kind}:${who()}:${event.watermark}`;
    case 'reaction':
      // The timestamp tells react → unreact → react apart; a redelivery repeats it exactly.
      return `reaction:${event.mid}:${event.action}:${digest(event.reaction, event.emoji, event.timestamp)}`;
    case 'message_edit':
      return `message_edit:${event.mid}:${event.numEdit ?? event.timestamp}`;
    case 'optin':
      return `optin:${event.optinType}:${digest(event.pageId, person, event.token, event.ref, event.notificationStatus)}:${event.timestamp}`;
    case 'referral':
      return `referral:${digest(event.pageId, person, event.ref, event.adId)}:${event.timestamp}`;
    case 'account_linking':
      return `account_linking:${event.status}:${who()}:${event.timestamp}`;
    case 'policy_enforcement':
      return `policy_enforcement:${event.action}:${event.timestamp}`;
    case 'app_roles':
      return `app_roles:${digest(event.roles)}:${event.timestamp}`;
    case 'pass_thread_control':
    case 'take_thread_control':
    case 'request_thread_control':
    case 'feedback':
      return `${event.kind}:${who()}:${event.timestamp}`;
    case 'marketing_message':
      return `marketing_message:${event.status}:${digest(event.pageId, event.trackingId)}`;
    case 'change':
      return `change:${digest(event.pageId, event.field, event.value)}:${event.timestamp}`;
    case 'unknown':
      return `unknown:${digest(event.pageId, event.channel, event.raw)}`;
  }
}

function digest(...parts: unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify(parts, (_key, value: unknown) => (value === undefined ? null : value)))
    .digest('base64url')
    .slice(0, 22);
}
