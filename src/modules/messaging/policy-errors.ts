import { AppError } from '../../errors.ts';
import type { RefusalReason } from './send.policy.ts';

const MESSAGES: Record<RefusalReason, string> = {
  outside_window: "the contact's 24-hour messaging window is closed; wait until they write again",
  human_agent_window_closed:
    'more than 7 days have passed since the contact last wrote; not even a human agent may answer now',
  opted_out: 'the contact opted out of messages (they can reply START to opt in again)',
  unreachable:
    'Meta reported the contact unreachable (blocked the Page, deactivated, or no longer knows the PSID); sends are refused until they write again',
  thread_owned:
    "another app (a bot or the Page Inbox) is handling this conversation through Messenger's handover protocol; take thread control before replying",
  erased: 'the contact was erased',
  page_unauthorized: "the Page's access token was revoked; register the Page again with a new token to resume",
  page_disabled: 'the Page is disabled',
  no_marketing_consent: 'the contact has not consented to marketing messages',
  marketing_token_stopped: 'the contact stopped marketing messages',
  marketing_token_expired: "the contact's marketing token expired",
  frequency_capped: 'a marketing message was sent to this contact too recently',
  no_user_action: 'the contact has never written to the Page, so it may not be messaged',
  marketing_not_enabled: 'Marketing Messages are not enabled for this Page',
  no_marketing_token: 'the contact has no marketing subscription token',
  marketing_region_restricted:
    'the contact may be in the EU, the UK, Japan, Korea or Australia, where Meta delivers no Marketing Messages',
};

/** The 422 AppError for a policy refusal; its code is the refusal reason itself, stable for clients. */
export function refusalError(reason: RefusalReason): AppError {
  return new AppError(reason, MESSAGES[reason], { reason });
}
