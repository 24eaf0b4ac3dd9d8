// The campaigns module's SQL: campaigns, their frozen recipients, tracked links, and the reads the sender, the
// preview and the statistics need from contacts, conversations, orders and the outbox.
import { sql, type ExpressionBuilder } from 'kysely';
import type { MarketingTokenState } from '../messaging/send.policy.ts';
import type { DB, Dialect, Executor } from '../../db/types.ts';
import type {
  CampaignLinkTable,
  CampaignRecipientTable,
  CampaignStatus,
  CampaignTable,
} from '../../db/tables/campaigns.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { OrderTable } from '../../db/tables/audience.ts';
import { conversationIdOf } from '../conversations/conversations.repository.ts';

const INSERT_CHUNK = 400;

/** A started campaign whose audience is not complete yet: starting, or paused before its freeze ended. */
const stillFreezing = (eb: ExpressionBuilder<DB, 'campaigns'>) =>
  eb.and([
    eb('status', 'in', ['starting', 'paused']),
    eb('audience_frozen_at', 'is', null),
    eb('started_at', 'is not', null),
  ]);
const inScope = (scope: readonly string[] | null) => (scope === null ? null : scope.length ? [...scope] : ['\u0000']);

export async function insertCampaign(db: Executor, row: CampaignTable): Promise<void> {
  await db.insertInto('campaigns').values(row).execute();
}

/** A campaign of the given Pages (null: any Page); another Page's is simply not found. */
export async function findCampaign(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<CampaignTable | undefined> {
  let q = db.selectFrom('campaigns').selectAll().where('id', '=', id);
  const scope = inScope(pageScope);
  if (scope) q = q.where('page_id', 'in', scope);
  return q.executeTakeFirst();
}

/** A Page's campaigns, newest first, after the cursor. */
export async function listCampaignRows(
  db: Executor,
  pageId: string,
  page: { cursor: string | null; limit: number },
): Promise<CampaignTable[]> {
  let q = db.selectFrom('campaigns').selectAll().where('page_id', '=', pageId).orderBy('id', 'desc').limit(page.limit);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  return q.execute();
}

/**
 * Moves a campaign from one of `from` to `to` (with `set`), only if it is still in one of them: the one place a status
 * changes, so that two requests racing (start twice, pause and cancel) change it once. True when this call did.
 */
export async function moveCampaign(
  db: Executor,
  id: string,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  set: Partial<Pick<CampaignTable, 'started_at' | 'finished_at' | 'audience_filter'>>,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({ ...set, status: to, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Rewrites a draft's fields if it is still a draft at `version`, moving its version on; false when it was started,
 * cancelled or edited meanwhile (the caller answers a conflict).
 */
export async function updateDraftCampaign(
  db: Executor,
  id: string,
  version: number,
  set: Partial<
    Pick<
      CampaignTable,
      'name' | 'kind' | 'segment_id' | 'filter' | 'message' | 'template' | 'variants' | 'schedule_at' | 'max_per_second'
    >
  >,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({ ...set, version: version + 1, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Resumes a paused campaign: running again if its audience is frozen, else back to starting (the freeze goes on). One
 * statement, so a freeze ending at the same moment cannot leave it running without its audience. True if it was paused.
 */
export async function resumeCampaignRow(db: Executor, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({
      status: sql<CampaignStatus>`case when audience_frozen_at is null then 'starting' else 'running' end`,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'paused')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Moves a campaign's freeze on from `from` (the cursor the caller read) to `to`, only if it still freezes (starting,
 * or paused before its audience was complete) from `from`: a cancelled campaign, or a batch another worker stored
 * first, changes nothing and the caller stores nothing. With `done`, the audience is complete: a starting campaign
 * becomes running, a paused one stays paused. True when this call moved it; on PostgreSQL the row stays locked until
 * the caller's transaction ends, so a cancel waits for the batch and then cancels it too.
 */
export async function advanceFreeze(
  db: Executor,
  id: string,
  from: string | null,
  to: string | null,
  done: boolean,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({
      audience_cursor: to,
      ...(done && {
        audience_frozen_at: now,
        status: sql<CampaignStatus>`case when status = 'starting' then 'running' else status end`,
        updated_at: now,
      }),
    })
    .where('id', '=', id)
    .where(stillFreezing)
    .where((eb) => (from === null ? eb('audience_cursor', 'is', null) : eb('audience_cursor', '=', from)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Campaigns the sender works on: running ones, scheduled ones that fell due, and started ones whose audience is
 * still being frozen (starting, or paused meanwhile).
 */
export async function activeCampaigns(db: Executor, now: number): Promise<CampaignTable[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', '=', 'running'),
        eb.and([eb('status', '=', 'scheduled'), eb('schedule_at', '<=', now)]),
        stillFreezing(eb),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** What the exclusions read of the audience's contacts: their send state and whether a human handles them now. */
export async function memberRows(db: Executor, contactIds: readonly string[]) {
  if (contactIds.length === 0) return [];
  const [contacts, conversations] = await Promise.all([
    db
      .selectFrom('contacts')
      .select([
        'id',
        'page_id',
        'status',
        'psid_invalid_at',
        'last_user_action_at',
        'consent_replies',
        'consent_marketing',
        'locale',
        'timezone',
      ])
      .where('id', 'in', [...contactIds])
      .execute(),
    db
      .selectFrom('conversations')
      .select(['contact_id', 'handled_by', 'status', 'assignee_id'])
      .where('id', 'in', contactIds.map(conversationIdOf))
      .execute(),
  ]);
  // Every conversation is `handled_by: human` until a bot takes one; a human handles it *now* when it is open and
  // an operator has it assigned.
  const handled = new Set(
    conversations
      .filter((v) => v.handled_by === 'human' && v.status === 'open' && v.assignee_id !== null)
      .map((v) => v.contact_id),
  );
  return contacts.map((c) => ({ ...c, human_handling: handled.has(c.id) }));
}

/** Which of these contacts already have a send of this campaign in the outbox (queued, sent or any later state). */
export async function contactsWithCampaignSend(
  db: Executor,
  campaignId: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('deliveries')
    .select('contact_id')
    .where('campaign_id', '=', campaignId)
    .where('contact_id', 'in', [...contactIds])
    .execute();
  return new Set(rows.map((r) => r.contact_id));
}

/** Freezes recipients; a member already frozen is left as it is (the unique index on campaign and contact). */
export async function insertRecipients(db: Executor, rows: readonly CampaignRecipientTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('campaign_recipients')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['campaign_id', 'contact_id']).doNothing())
      .execute();
  }
}

/**
 * The next recipients to queue, in the order they were frozen. On PostgreSQL they stay locked by the caller's
 * transaction and other senders skip them, so two workers never queue the same person.
 */
export async function pendingRecipients(
  db: Executor,
  dialect: Dialect,
  campaignId: string,
  limit: number,
): Promise<CampaignRecipientTable[]> {
  let q = db
    .selectFrom('campaign_recipients')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  return q.execute();
}

/** The campaign's row, locked on PostgreSQL until the caller's transaction ends (a pause waits for a sender's turn). */
export async function lockCampaign(db: Executor, dialect: Dialect, id: string): Promise<CampaignTable | undefined> {
  let q = db.selectFrom('campaigns').selectAll().where('id', '=', id);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Settles a pending recipient (queued with its delivery, or skipped with the reason); false if it was not pending. */
export async function settleRecipient(
  db: Executor,
  id: string,
  set: Pick<CampaignRecipientTable, 'status' | 'reason' | 'delivery_id' | 'queued_at'> &
    Partial<Pick<CampaignRecipientTable, 'coupon_code'>>,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('campaign_recipients')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Cancels what a cancelled campaign had not queued yet. */
export async function cancelPendingRecipients(db: Executor, campaignId: string, now: number): Promise<number> {
  const r = await db
    .updateTable('campaign_recipients')
    .set({ status: 'cancelled', reason: 'cancelled', updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The campaign's sends waiting in the outbox (queued or being sent). */
export async function campaignSendsInOutbox(db: Executor, campaignId: string): Promise<number> {
  const r = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A page of recipients (of one status, or all), in the order they were frozen, after the cursor. */
export async function listRecipientRows(
  db: Executor,
  campaignId: string,
  o: { status: string | null; cursor: string | null; limit: number },
) {
  let q = db
    .selectFrom('campaign_recipients as r')
    .leftJoin('deliveries as d', 'd.id', 'r.delivery_id')
    .select([
      'r.id',
      'r.contact_id',
      'r.variant',
      'r.status',
      'r.reason',
      'r.delivery_id',
      'r.queued_at',
      'r.clicked_at',
      'r.coupon_code',
      'd.status as delivery_status',
      'd.reason as delivery_reason',
      'd.sent_at',
      'd.delivered_at',
      'd.read_at',
    ])
    .where('r.campaign_id', '=', campaignId)
    .orderBy('r.id')
    .limit(o.limit);
  if (o.status) q = q.where('r.status', '=', o.status as CampaignRecipientTable['status']);
  if (o.cursor) q = q.where('r.id', '>', o.cursor);
  return q.execute();
}

const DAY_MS = 86_400_000;
const n = (v: unknown) => Number(v ?? 0);

/** The campaign's figures per variant: one statement over its recipients and their deliveries. */
export async function variantFigures(db: Executor, campaignId: string) {
  const rows = await db
    .selectFrom('campaign_recipients as r')
    .leftJoin('deliveries as d', 'd.id', 'r.delivery_id')
    .leftJoin('contacts as c', 'c.id', 'r.contact_id')
    .select((eb) => [
      'r.variant',
      eb.fn.countAll<number>().as('recipients'),
      sql<number>`sum(case when r.status = 'pending' or d.status in ('queued', 'sending') then 1 else 0 end)`.as(
        'queued',
      ),
      sql<number>`sum(case when d.status in ('sent', 'delivered', 'read') then 1 else 0 end)`.as('sent'),
      sql<number>`sum(case when d.status in ('delivered', 'read') then 1 else 0 end)`.as('delivered'),
      sql<number>`sum(case when d.status = 'read' then 1 else 0 end)`.as('read'),
      sql<number>`sum(case when r.clicked_at is not null then 1 else 0 end)`.as('clicked'),
      sql<number>`sum(case when d.status = 'failed' then 1 else 0 end)`.as('failed'),
      sql<number>`sum(case when d.sent_at is not null and exists (select 1 from messages m where m.contact_id = r.contact_id
        and m.direction = 'inbound' and m.sent_at > d.sent_at and m.sent_at <= d.sent_at + ${DAY_MS}) then 1 else 0 end)`.as(
        'replied',
      ),
      sql<number>`sum(case when d.sent_at is not null and c.consent_replies = 'withdrawn'
        and c.consent_replies_at >= d.sent_at then 1 else 0 end)`.as('opted_out'),
    ])
    .where('r.campaign_id', '=', campaignId)
    .groupBy('r.variant')
    .execute();
  return rows.map((r) => ({
    variant: Number(r.variant),
    recipients: n(r.recipients),
    queued: n(r.queued),
    sent: n(r.sent),
    delivered: n(r.delivered),
    read: n(r.read),
    clicked: n(r.clicked),
    failed: n(r.failed),
    replied: n(r.replied),
    opted_out: n(r.opted_out),
  }));
}

/** Skipped recipients per variant and reason: left out at start, refused when queued, or skipped by the dispatcher. */
export async function skippedFigures(db: Executor, campaignId: string) {
  const rows = await db
    .selectFrom('campaign_recipients as r')
    .leftJoin('deliveries as d', 'd.id', 'r.delivery_id')
    .select((eb) => [
      'r.variant',
      sql<string>`coalesce(d.reason, r.reason, 'unknown')`.as('reason'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('r.campaign_id', '=', campaignId)
    .where((eb) => eb.or([eb('r.status', 'in', ['skipped', 'cancelled']), eb('d.status', '=', 'skipped')]))
    .groupBy(['r.variant', sql`coalesce(d.reason, r.reason, 'unknown')`])
    .execute();
  return rows.map((r) => ({ variant: Number(r.variant), reason: String(r.reason), n: n(r.n) }));
}

/** Full contact rows (names to fill in), for the sample and the sender. */
export async function contactRows(db: Executor, ids: readonly string[]): Promise<ContactTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Each contact's latest order and order count, for `{{orders.…}}`. */
export async function ordersOf(db: Executor, ids: readonly string[]) {
  const out = new Map<string, { count: number; last: OrderTable | null }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .where('contact_id', 'in', [...ids])
    .orderBy('ordered_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const o of rows) {
    const seen = out.get(o.contact_id!);
    if (seen) seen.count++;
    else out.set(o.contact_id!, { count: 1, last: o });
  }
  return out;
}

export async function insertLinks(db: Executor, rows: readonly CampaignLinkTable[]): Promise<void> {
  if (rows.length)
    await db
      .insertInto('campaign_links')
      .values([...rows])
      .execute();
}

export async function findLink(db: Executor, token: string): Promise<CampaignLinkTable | undefined> {
  return db.selectFrom('campaign_links').selectAll().where('token', '=', token).executeTakeFirst();
}

/** Records a recipient's first click of a campaign (a button or a quick reply); true when this was it. */
export async function recordRecipientClick(
  db: Executor,
  campaignId: string,
  contactId: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('campaign_recipients')
    .set({ clicked_at: now, updated_at: now })
    .where('campaign_id', '=', campaignId)
    .where('contact_id', '=', contactId)
    .where('status', '=', 'queued')
    .where('clicked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a click: on the link once, and on the recipient once (its first click on any of the campaign's links). */
export async function recordClick(db: Executor, link: CampaignLinkTable, now: number): Promise<boolean> {
  await db
    .updateTable('campaign_links')
    .set({ clicked_at: now })
    .where('token', '=', link.token)
    .where('clicked_at', 'is', null)
    .execute();
  const r = await db
    .updateTable('campaign_recipients')
    .set({ clicked_at: now, updated_at: now })
    .where('campaign_id', '=', link.campaign_id)
    .where('contact_id', '=', link.contact_id)
    .where('clicked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Each contact's newest marketing subscription (the one a send would use), for a batch of a campaign's audience. */
export async function marketingTokenStates(db: Executor, contactIds: readonly string[]) {
  const out = new Map<string, MarketingTokenState>();
  if (contactIds.length === 0) return out;
  const rows = await db
    .selectFrom('marketing_subscriptions')
    .select(['contact_id', 'status', 'status_at', 'id', 'expires_at', 'last_sent_at'])
    .where('contact_id', 'in', [...contactIds])
    .orderBy('contact_id')
    .orderBy('status_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows)
    if (!out.has(r.contact_id))
      out.set(r.contact_id, {
        status: r.status,
        expiresAt: r.expires_at === null ? null : Number(r.expires_at),
        lastMarketingSentAt: r.last_sent_at === null ? null : Number(r.last_sent_at),
      });
  return out;
}

/** Records the message campaign Meta created for a marketing campaign, unless one was recorded first. */
export async function setMetaCampaignId(db: Executor, campaignId: string, metaId: string): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ meta_campaign_id: metaId })
    .where('id', '=', campaignId)
    .where('meta_campaign_id', 'is', null)
    .execute();
}
