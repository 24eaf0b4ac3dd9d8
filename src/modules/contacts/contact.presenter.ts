import type { AppContext } from '../../kernel/context.ts';
import type { ContactLinkTable, ContactTable } from '../../db/tables/conversations.ts';
import { toIso } from '../../lib/time.ts';
import { windowFor } from '../messaging/send.policy.ts';
import { openContactColumn } from './contact-columns.ts';
import type { ContactAudience } from '../attributes/contact-audience.ts';

/** A link to another record of the same person: on another Page (account linking, ids_for_pages, an operator) or merged. */
export interface ContactLinkView {
  contact_id: string;
  page_id: string;
  source: ContactLinkTable['source'];
  created_at: string;
}

/**
 * The contract's Contact, built from an allow-list: decrypted names, the messaging window, consent. The identifiers
 * (PSID, picture URL) only when the caller may read them (and has audited the read); links only in the detail view.
 * Tags and attributes come from their own tables (`audienceOf`, read once for a whole list).
 */
export function presentContact(
  ctx: AppContext,
  row: ContactTable,
  opts: { withIdentifiers: boolean; audience: ContactAudience; links?: ContactLinkView[] },
) {
  const first = openContactColumn(ctx, row, 'first_name_enc');
  const last = openContactColumn(ctx, row, 'last_name_enc');
  const name = openContactColumn(ctx, row, 'name_enc') ?? ([first, last].filter(Boolean).join(' ') || null);
  const window = windowFor(row.last_user_action_at);
  return {
    id: row.id,
    page_id: row.page_id,
    ...(opts.withIdentifiers && { psid: openContactColumn(ctx, row, 'psid_enc') }),
    name,
    first_name: first,
    last_name: last,
    // A platform URL that identifies the person: an identifier like the PSID.
    ...(opts.withIdentifiers && { picture_url: openContactColumn(ctx, row, 'picture_enc') }),
    locale: row.locale,
    timezone: row.timezone,
    status: row.status,
    // Since when, and why (`invalid_recipient`: Meta said it knows no such PSID; else Meta's reason), until they act.
    unreachable_since: row.status === 'unreachable' ? toIso(row.status_at) : null,
    unreachable_reason: row.status === 'unreachable' ? row.status_reason : null,
    window: {
      last_user_action_at: toIso(row.last_user_action_at),
      standard_ends_at: toIso(window.standardEndsAt),
      human_agent_ends_at: toIso(window.humanAgentEndsAt),
    },
    consent: {
      replies: row.consent_replies,
      replies_at: toIso(row.consent_replies_at),
      marketing: row.consent_marketing,
      marketing_at: toIso(row.consent_marketing_at),
    },
    tags: opts.audience.tags,
    attributes: opts.audience.attributes,
    merged_into: row.merged_into,
    ...(opts.links && { links: opts.links }),
    created_at: toIso(row.created_at),
    last_seen_at: toIso(row.last_seen_at),
  };
}

export type ContactView = ReturnType<typeof presentContact>;

/** For answers that show only a contact's name, status and window (a conversation): no tags or attributes read. */
export const NO_AUDIENCE: ContactAudience = Object.freeze({ tags: [], attributes: {} });
