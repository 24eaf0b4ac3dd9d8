import type { ConversationWindow, User } from './api.ts';

/** The contacts, privacy and audit API as the contact screens read it. */

export interface Contact {
  id: string;
  page_id: string;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  locale: string | null;
  timezone: number | null;
  status: 'active' | 'unreachable' | 'erased';
  unreachable_since: string | null;
  unreachable_reason: string | null;
  window: ConversationWindow;
  consent: { replies: string; replies_at?: string | null; marketing: string; marketing_at?: string | null };
  tags: string[];
  attributes: Record<string, unknown>;
  created_at: string;
  last_seen_at: string;
}

export interface Consent {
  contact_id: string;
  state: {
    replies: 'granted' | 'withdrawn';
    marketing: 'none' | 'granted' | 'withdrawn';
    topics: Record<string, string>;
  };
  records: {
    id: string;
    purpose: string;
    action: 'grant' | 'withdraw';
    source: string;
    wording: string | null;
    actor_type: string;
    occurred_at: string;
  }[];
}

export interface Activity {
  contact_id: string;
  first_seen_at: string | null;
  last_seen_at: string | null;
  last_inbound_at: string | null;
  last_outbound_at: string | null;
  messages: { received: number; sent: number; notes: number };
  conversation: {
    id: string;
    status: 'open' | 'pending' | 'snoozed' | 'resolved';
    created_at: string | null;
    last_activity_at: string | null;
    last_resolved_at: string | null;
  } | null;
}

export type RequestStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

export interface PrivacyRequest {
  id: string;
  type: 'access' | 'erasure' | 'rectification';
  contact_id: string | null;
  page_id?: string | null;
  status: RequestStatus;
  regime?: 'gdpr' | 'ccpa';
  source?: string;
  review_reason?: string | null;
  received_at: string;
  due_at: string;
  extended?: boolean;
  completed_at: string | null;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { type?: string; id?: string | null; email?: string };
  action: string;
  outcome: string;
  page_id: string | null;
  subject: { type?: string; id?: string | null } | null;
  details: Record<string, unknown> | null;
}

export interface ListPage<T> {
  data: T[];
  next_cursor: string | null;
}

/** What the signed-in person's role allows, as src/modules/access/roles.ts grants it. */
const IDENTIFIERS = ['owner', 'admin'];
export const canReadIdentifiers = (u: User) => IDENTIFIERS.includes(u.role);
export const canManagePrivacy = (u: User) => IDENTIFIERS.includes(u.role);
export const canReadHistory = (u: User) => ['owner', 'admin', 'agent', 'analyst'].includes(u.role);

export function personName(c: Pick<Contact, 'id' | 'name'>): string {
  return c.name ?? `Customer …${c.id.slice(-4)}`;
}

export function initials(name: string | null): string {
  if (!name) return '?';
  const parts = name.trim().split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase();
}

/** "3 Dec 2026", or "3 Dec" within the current year. */
export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** "14:05": the inbox writes every time of day on the 24-hour clock, whatever the browser's locale. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

/** "3 Dec, 14:05". */
export function dayTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${day(iso)}, ${clock(iso)}`;
}

/** "5 minutes ago", "3 days ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const m = Math.round((now - Date.parse(iso)) / 60_000);
  if (m < 1) return 'just now';
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

/** "French (France)" for fr_FR; the code itself when the browser does not know it. */
export function languageName(locale: string | null): string | null {
  if (!locale) return null;
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale.replace('_', '-')) ?? locale;
  } catch {
    return locale;
  }
}

/** "UTC+1 (their time 14:05)" from Meta's offset in hours. */
export function timezoneText(offset: number | null, now = Date.now()): string | null {
  if (offset === null) return null;
  const sign = offset >= 0 ? '+' : '−';
  const abs = Math.abs(offset);
  const label = `UTC${sign}${Math.floor(abs)}${abs % 1 ? `:${String(Math.round((abs % 1) * 60)).padStart(2, '0')}` : ''}`;
  const their = new Date(now + offset * 3_600_000);
  const hh = String(their.getUTCHours()).padStart(2, '0');
  const mm = String(their.getUTCMinutes()).padStart(2, '0');
  return `${label} (their time ${hh}:${mm})`;
}

const REASONS: Record<string, string> = {
  unreachable: 'the person blocked the Page or left Messenger',
  invalid_recipient: 'Meta no longer knows this person on this Page',
};

/** Whether a reply can reach the person, in words: "Unreachable since 3 Dec: the person blocked the Page…". */
export function reachability(c: Contact): { ok: boolean; text: string } {
  if (c.status === 'unreachable') {
    const why = c.unreachable_reason
      ? (REASONS[c.unreachable_reason] ?? c.unreachable_reason.replace(/_/g, ' '))
      : 'Meta refused a message';
    return {
      ok: false,
      text: `Unreachable since ${day(c.unreachable_since)}: ${why}. Replies are refused until they write again.`,
    };
  }
  if (c.status === 'erased') return { ok: false, text: 'Erased: nothing is kept about this person.' };
  return { ok: true, text: 'Reachable: Meta accepts messages to this person.' };
}

export const MARKETING: Record<string, string> = {
  none: 'Never asked',
  granted: 'Opted in',
  withdrawn: 'Opted out',
};

export const REQUEST_TYPES: Record<PrivacyRequest['type'], string> = {
  access: 'Access (export)',
  erasure: 'Erasure',
  rectification: 'Rectification',
};

export const REQUEST_STATUS: Record<RequestStatus, { label: string; color: string }> = {
  pending: { label: 'Pending', color: 'gray' },
  in_progress: { label: 'In progress', color: 'blue' },
  completed: { label: 'Completed', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
};

/** A request's deadline in words, with how urgent it is: "Overdue by 2 days", "Due in 3 days", "Due 3 Jan". */
export function dueText(r: PrivacyRequest, now = Date.now()): { text: string; color: string | undefined } {
  if (r.status === 'completed') return { text: `Completed ${day(r.completed_at)}`, color: undefined };
  const days = Math.ceil((Date.parse(r.due_at) - now) / 86_400_000);
  if (days < 0) return { text: `Overdue by ${-days} day${days === -1 ? '' : 's'}`, color: 'red' };
  if (days === 0) return { text: 'Due today', color: 'red' };
  if (days <= 7) return { text: `Due in ${days} day${days === 1 ? '' : 's'}`, color: 'orange' };
  return { text: `Due ${day(r.due_at)}`, color: undefined };
}

/** Readable names of audit actions; an unknown action shows its code. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'contact.identifier_read': 'Read a PSID',
  'contact.merge': 'Merged contacts',
  'contact.split': 'Split a merged contact',
  'contact.reconcile': 'Linked records of one person',
  'conversation.update': 'Changed a conversation',
  'conversation.note': 'Added a note',
  'message.send': 'Sent a message',
  'consent.grant': 'Consent given',
  'consent.withdraw': 'Consent withdrawn',
  'privacy.request.create': 'Opened a privacy request',
  'privacy.request.extend': 'Extended a privacy deadline',
  'privacy.request.resolve': 'Settled a request awaiting review',
  'privacy.request.deadline_warning': 'Privacy deadline warning',
  'privacy.export.read': 'Downloaded a data export',
  'privacy.identifier.read': 'Read an app-scoped id',
  'privacy.access.completed': 'Data export ready',
  'privacy.erasure.completed': 'Erased a person',
  'privacy.rectification.completed': 'Corrected a person’s data',
  'user.login': 'Signed in',
  'user.logout': 'Signed out',
  'user.lockout': 'Account locked after failed sign-ins',
  'user.create': 'Added a team member',
  'user.disable': 'Disabled a team member',
  'user.password_change': 'Changed a password',
  'user.login_link': 'Used a sign-in link',
  'user.login_link.create': 'Created a sign-in link',
  'token.create': 'Created an API token',
  'token.revoke': 'Revoked an API token',
  'page.register': 'Connected a Page',
  'page.update': 'Changed a Page',
  'page.token_invalid': 'A Page’s token stopped working',
  'page.policy_enforcement': 'Meta restricted a Page',
  'keys.rotate': 'Rotated encryption keys',
  'retention.purge': 'Deleted data past retention',
  'auth.failure': 'Refused an API token',
  'privacy.access.attempt_failed': 'An access export failed (tried again)',
  'privacy.erasure.attempt_failed': 'An erasure failed (tried again)',
  'privacy.rectification.attempt_failed': 'A correction failed (tried again)',
  'privacy.meta_data_deletion.received': 'Meta asked to delete a person’s data',
  'privacy.meta_data_deletion.mapped': 'Matched Meta’s deletion request to contacts',
  'privacy.meta_data_deletion.unmapped': 'Matched Meta’s deletion request to no contact',
  'privacy.meta_deauthorize.received': 'A person removed the app at Meta',
  'privacy.meta_deauthorize.mapped': 'Matched an app removal to contacts',
  'privacy.meta_deauthorize.unmapped': 'Matched an app removal to no contact',
  'contact.tags.add': 'Tagged a contact',
  'contact.tags.remove': 'Removed a tag from a contact',
  'contact.attributes.update': 'Changed a contact’s attributes',
  'contacts.exported': 'Exported contacts',
  'contacts.imported': 'Imported contacts',
  'products.imported': 'Imported products',
  'orders.imported': 'Imported orders',
  'conversation.thread_control': 'Passed or took a conversation’s thread',
  'attribute_definition.create': 'Defined a contact attribute',
  'attribute_definition.update': 'Changed a contact attribute',
  'label.create': 'Created a label',
  'label.update': 'Changed a label',
  'label.delete': 'Deleted a label',
  'canned_response.create': 'Added a canned response',
  'canned_response.update': 'Changed a canned response',
  'canned_response.delete': 'Deleted a canned response',
  'consent_keywords.update': 'Changed the opt-out keywords',
  'business_hours.update': 'Changed the business hours',
  'product.create': 'Added a product',
  'product.update': 'Changed a product',
  'order.create': 'Recorded an order',
  'order.update': 'Changed an order',
  'order.link': 'Linked an order to a person',
  'loyalty_tiers.set': 'Set the loyalty tiers',
  'segment.create': 'Saved a segment',
  'segment.update': 'Changed a segment',
  'segment.delete': 'Deleted a segment',
  'campaign.create': 'Created a campaign',
  'campaign.update': 'Changed a campaign',
  'campaign.start': 'Started a campaign',
  'campaign.pause': 'Paused a campaign',
  'campaign.resume': 'Resumed a campaign',
  'campaign.cancel': 'Cancelled a campaign',
  'sequence.create': 'Created a sequence',
  'sequence.update': 'Changed a sequence',
  'sequence.delete': 'Deleted a sequence',
  'sequence.subscribe': 'Added a person to a sequence',
  'sequence.unsubscribe': 'Took a person out of a sequence',
  'automation.create': 'Created an automation rule',
  'automation.update': 'Changed an automation rule',
  'automation.delete': 'Deleted an automation rule',
  'assistant.settings': 'Changed the assistant’s settings',
  'faq.create': 'Added an FAQ entry',
  'faq.update': 'Changed an FAQ entry',
  'faq.delete': 'Deleted an FAQ entry',
  'assistant.unanswered.convert': 'Made an unanswered question an FAQ entry',
  'assistant.unanswered.dismiss': 'Dismissed an unanswered question',
  'message_template.create': 'Submitted a utility template',
  'message_template.delete': 'Deleted a utility template',
  'messenger_profile.update': 'Changed the Messenger profile',
  'page.marketing_messages.update': 'Changed a Page’s Marketing Messages',
  'user.update': 'Changed a team member',
};

export function actionName(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}
