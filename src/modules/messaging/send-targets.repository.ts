// The messaging module's own reads and writes of contacts, Pages and marketing subscriptions: only the columns the
// send policy and the dispatcher need. (Contacts belong to the contacts module; these queries never change a
// column that module owns except the send outcomes Meta reports: unreachable, PSID invalid, last outbound.)
import type { Executor } from '../../db/types.ts';
import { padToBucket } from './batch-size.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { PageTable } from '../../db/tables/foundation.ts';

export type SendTarget = Pick<
  ContactTable,
  | 'id'
  | 'page_id'
  | 'psid_enc'
  | 'locale'
  | 'timezone'
  | 'status'
  | 'psid_invalid_at'
  | 'last_user_action_at'
  | 'consent_replies'
  | 'consent_marketing'
  | 'thread_owner_app_id'
>;

const TARGET_COLUMNS = [
  'id',
  'page_id',
  'psid_enc',
  'locale',
  'timezone',
  'status',
  'psid_invalid_at',
  'last_user_action_at',
  'consent_replies',
  'consent_marketing',
  'thread_owner_app_id',
] as const;

export async function findSendTarget(db: Executor, contactId: string): Promise<SendTarget | undefined> {
  return db.selectFrom('contacts').select(TARGET_COLUMNS).where('id', '=', contactId).executeTakeFirst();
}

export async function findSendTargets(db: Executor, contactIds: readonly string[]): Promise<SendTarget[]> {
  if (contactIds.length === 0) return [];
  return db.selectFrom('contacts').select(TARGET_COLUMNS).where('id', 'in', padToBucket(contactIds)).execute();
}

export async function findPages(db: Executor, pageIds: readonly string[]): Promise<PageTable[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('pages').selectAll().where('id', 'in', padToBucket(pageIds)).execute();
}

/** The contact's most recent active marketing subscription, the only one a campaign may address. */
export async function findMarketingSubscription(db: Executor, contactId: string) {
  return db
    .selectFrom('marketing_subscriptions')
    .select(['id', 'token_enc', 'status', 'expires_at', 'last_sent_at'])
    .where('contact_id', '=', contactId)
    .orderBy('status_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function markMarketingSent(db: Executor, subscriptionId: string, at: number): Promise<void> {
  await db.updateTable('marketing_subscriptions').set({ last_sent_at: at }).where('id', '=', subscriptionId).execute();
}

/** Meta said the person cannot be reached: no more sends until they write again (the ingest clears it). */
export async function markUnreachable(db: Executor, contactId: string, reason: string, at: number): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ status: 'unreachable', status_reason: reason, status_at: at, updated_at: at })
    .where('id', '=', contactId)
    .where('status', '=', 'active')
    .execute();
}

/**
 * Meta no longer knows the PSID: flag the contact for reconciliation (keeping the first time it was seen) and show it
 * unreachable, so sends are refused up front instead of skipped in silence, until the person acts again.
 */
export async function markPsidInvalid(db: Executor, contactId: string, at: number): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ psid_invalid_at: at, updated_at: at })
    .where('id', '=', contactId)
    .where('psid_invalid_at', 'is', null)
    .execute();
  await markUnreachable(db, contactId, 'invalid_recipient', at);
}

/** Records an outbound send at `at` on each contact, never moving last_outbound_at back. */
export async function touchLastOutbounds(db: Executor, contactIds: readonly string[], at: number): Promise<void> {
  if (contactIds.length === 0) return;
  await db
    .updateTable('contacts')
    .set({ last_outbound_at: at })
    .where('id', 'in', padToBucket(contactIds))
    .where((eb) => eb.or([eb('last_outbound_at', 'is', null), eb('last_outbound_at', '<', at)]))
    .execute();
}

/** The message campaign at Meta that a marketing campaign's sends name (campaigns.meta_campaign_id). */
export async function findMetaCampaignId(db: Executor, campaignId: string): Promise<string | null> {
  const row = await db
    .selectFrom('campaigns')
    .select('meta_campaign_id')
    .where('id', '=', campaignId)
    .executeTakeFirst();
  return row?.meta_campaign_id ?? null;
}
