/**
 * Why a message was not sent, in words a support agent understands: one sentence for each reason the product
 * records — Meta's Graph errors (by code and subcode, then by the stable code src/platform/graph-errors.ts gives
 * them) and the send policy's refusals (src/modules/messaging/send.policy.ts). Pure and dependency-free: the web
 * inbox imports this file to explain failed sends and refused replies; the codes stay visible beside the sentence.
 */

export interface SendErrorCodes {
  /** The product's stable code: a refusal reason (`outside_window`) or a Graph error's (`unreachable`). */
  code: string;
  /** Meta's error code and subcode, when Meta answered with an error. */
  metaCode?: number | null;
  metaSubcode?: number | null;
}

const BLOCKED = "This person can't receive messages from the Page right now (they may have blocked it).";
const OUTSIDE_WINDOW =
  'Outside the messaging window: the person last wrote more than 24 hours ago, so Messenger only accepts a human agent reply (up to 7 days) — or nothing until they write again.';

/** Meta's codes that say more than the stable code does: `code/subcode`, or `code` alone. */
const BY_META_CODE: Record<string, string> = {
  '551': BLOCKED,
  '551/1545041': BLOCKED,
  '200/1545041': BLOCKED,
  '10/2018108': BLOCKED,
  '10/2018065':
    'Outside the messaging window: this Page may only message outside the window with a permission it does not have.',
  '10/1893063': 'Meta has temporarily restricted this Page from sending messages (a policy restriction on the Page).',
  '613/2018338':
    'Meta refused the message as possibly bothersome or abusive (too many tagged or repeated messages). Send fewer, personal replies.',
  '100/2018008': 'Messenger could not fetch the attachment from its link. Check that the link works publicly.',
  '100/2018109': 'The attachment is larger than Messenger allows.',
  '100/2018047': 'Messenger could not upload the attachment.',
  '100/2018074': 'Messenger does not know that attachment (or it belongs to another Page).',
  '200/2018028':
    'The Meta app is not live for messaging yet: it can only message its own admins, developers and testers.',
  '200/2018027':
    'The Meta app is not live for messaging yet: it can only message its own admins, developers and testers.',
  '1200': 'Messenger had a temporary problem sending this message. It will be tried again.',
};

const BY_CODE: Record<string, string> = {
  // Meta's answers (graph-errors.ts stable codes).
  unreachable: BLOCKED,
  invalid_recipient:
    "Messenger doesn't know this person for this Page any more (their account may be gone, or the id belongs to another Page).",
  outside_window: OUTSIDE_WINDOW,
  thread_owned:
    'Another app (for example a bot or Page Inbox) is in control of this conversation. Take the thread back before replying.',
  page_unauthorized:
    "The Page's connection to Meta expired or was revoked. An admin needs to register the Page again with a new token; the message waits until then.",
  rate_limited: 'Meta is limiting how fast this Page can send. The message will be retried shortly.',
  frequency_capped: 'A marketing message was sent to this person too recently. Try again later.',
  marketing_token_stopped: 'This person turned off marketing messages from the Page.',
  marketing_token_expired: "This person's permission for marketing messages has expired.",
  meta_temporary_error: 'Messenger had a temporary problem. The message will be tried again.',
  meta_unavailable: 'Messenger was unavailable. The message will be tried again.',
  meta_timeout: 'Messenger did not answer in time. The message will be tried again.',
  meta_network_error: 'Messenger could not be reached. The message will be tried again.',
  meta_permission_denied:
    "The Meta app doesn't have the permission this message needs (check the app's review status).",
  invalid_request: 'Messenger refused the message as malformed (for example an unsupported attachment or button).',
  meta_error: 'Messenger refused the message.',
  // The send policy's refusals (before anything reaches Meta).
  human_agent_window_closed:
    'Outside the 7-day window: the person last wrote more than 7 days ago, so Messenger accepts no reply until they write again.',
  opted_out: 'This person opted out of messages from the Page. They can write START to opt in again.',
  erased: "This person's data was erased; nothing can be sent to them.",
  page_disabled: 'This Page is disabled in pagescope.',
  no_marketing_consent: "This person hasn't agreed to receive marketing messages.",
  no_user_action: 'This person has never written to the Page, so Messenger does not allow messaging them.',
  marketing_not_enabled: 'Marketing Messages are not enabled for this Page.',
  no_marketing_token: "This person hasn't subscribed to the Page's marketing messages.",
  marketing_region_restricted:
    'This person may be in the EU, the UK, Japan, Korea or Australia, where Meta delivers no Marketing Messages.',
  policy_refused: "The message wasn't sent: the messaging rules don't allow it right now.",
};

/** The sentence for a failed or refused send; an unknown code still gets an honest, general sentence. */
export function sendErrorInWords(e: SendErrorCodes): string {
  if (e.metaCode !== undefined && e.metaCode !== null) {
    const exact = (e.metaSubcode ?? null) !== null ? BY_META_CODE[`${e.metaCode}/${e.metaSubcode}`] : undefined;
    const byCode = exact ?? BY_META_CODE[String(e.metaCode)];
    if (byCode) return byCode;
  }
  return BY_CODE[e.code] ?? "The message wasn't sent. The code below says why; retry, or tell an admin if it repeats.";
}

/** The codes in small print: `unreachable · Meta #551/1545041`. */
export function sendErrorCodeLine(e: SendErrorCodes): string {
  if (e.metaCode === undefined || e.metaCode === null) return e.code;
  return `${e.code} · Meta #${e.metaCode}${(e.metaSubcode ?? null) !== null ? `/${e.metaSubcode}` : ''}`;
}
