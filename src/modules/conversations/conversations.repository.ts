import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Executor } from '../../db/types.ts';
import type { ConversationTable, MessageTokenTable } from '../../db/tables/inbox.ts';
import type { ContactTable, MessageTable } from '../../db/tables/conversations.ts';

/** A conversation's id is its contact's with another prefix: found, opened and reopened by key. */
export const conversationIdOf = (contactId: string): string => `cv_${contactId.slice(contactId.indexOf('_') + 1)}`;

/** A conversation as it opens: open, unassigned, handled by people, its first message the one that opened it. */
function openedRow(
  t: { pageId: string; contactId: string; messageId: string; now: number },
  first: { unread: number; waitingSince: number | null; lastActivityAt: number },
): ConversationTable {
  return {
    id: conversationIdOf(t.contactId),
    page_id: t.pageId,
    contact_id: t.contactId,
    status: 'open',
    assignee_id: null,
    handled_by: 'human',
    labels: '[]',
    unread_count: first.unread,
    waiting_since: first.waitingSince,
    last_message_id: t.messageId,
    last_activity_at: first.lastActivityAt,
    snoozed_until: null,
    version: 1,
    created_at: t.now,
    updated_at: t.now,
  };
}

export interface InboundTouch {
  pageId: string;
  contactId: string;
  messageId: string;
  sentAt: number;
  now: number;
}

/**
 * A customer's message: opens the conversation, or reopens a resolved or snoozed one; one more unread; waiting since
 * the oldest unanswered message. Returns the conversation's id (derived from the contact's: nothing is read back).
 */
export async function touchInbound(db: Executor, t: InboundTouch): Promise<string> {
  const id = conversationIdOf(t.contactId);
  await db
    .insertInto('conversations')
    .values(openedRow(t, { unread: 1, waitingSince: t.sentAt, lastActivityAt: t.sentAt }))
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        status: sql`case when conversations.status in ('resolved', 'snoozed') then 'open' else conversations.status end`,
        snoozed_until: null,
        unread_count: sql`conversations.unread_count + 1`,
        waiting_since: sql`coalesce(conversations.waiting_since, excluded.waiting_since)`,
        last_message_id: sql`case when excluded.last_activity_at >= conversations.last_activity_at then excluded.last_message_id else conversations.last_message_id end`,
        last_activity_at: sql`case when excluded.last_activity_at > conversations.last_activity_at then excluded.last_activity_at else conversations.last_activity_at end`,
        version: sql`conversations.version + 1`,
        updated_at: t.now,
      }),
    )
    .execute();
  return id;
}

export interface OutboundTouch {
  pageId: string;
  contactId: string;
  messageId: string;
  at: number;
  now: number;
  /** An answer (agent, automation) ends the wait; a campaign message does not. */
  answers: boolean;
  /** Open a conversation when there is none (a send to someone who never wrote). */
  create: boolean;
}

/**
 * Something the Page sent: the last activity, and the end of the wait when it answers. Returns the conversation's id,
 * or null when there is none (and none was to be opened).
 */
export async function touchOutbound(db: Executor, t: OutboundTouch): Promise<string | null> {
  const id = conversationIdOf(t.contactId);
  const update = {
    ...(t.answers && { waiting_since: null }),
    last_message_id: sql<string>`case when ${t.at} >= conversations.last_activity_at then ${t.messageId} else conversations.last_message_id end`,
    last_activity_at: sql<number>`case when ${t.at} > conversations.last_activity_at then ${t.at} else conversations.last_activity_at end`,
    version: sql<number>`conversations.version + 1`,
    updated_at: t.now,
  };
  if (t.create) {
    await db
      .insertInto('conversations')
      .values(openedRow(t, { unread: 0, waitingSince: null, lastActivityAt: t.at }))
      .onConflict((oc) => oc.column('id').doUpdateSet(update))
      .execute();
  } else {
    const r = await db.updateTable('conversations').set(update).where('id', '=', id).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return null;
  }
  return id;
}

export async function findConversation(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<ConversationTable | undefined> {
  let q = db.selectFrom('conversations').selectAll().where('id', '=', id);
  if (pageScope !== null) q = pageScope.length ? q.where('page_id', 'in', pageScope) : q.where(sql<SqlBool>`1 = 0`);
  const row = await q.executeTakeFirst();
  return row && numeric(row);
}

export async function findConversationOfContact(
  db: Executor,
  contactId: string,
): Promise<ConversationTable | undefined> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', conversationIdOf(contactId))
    .executeTakeFirst();
  return row && numeric(row);
}

/** PostgreSQL answers bigint columns as strings; the rest of the code works with numbers. */
function numeric(row: ConversationTable): ConversationTable {
  return {
    ...row,
    unread_count: Number(row.unread_count),
    waiting_since: row.waiting_since === null ? null : Number(row.waiting_since),
    last_activity_at: Number(row.last_activity_at),
    snoozed_until: row.snoozed_until === null ? null : Number(row.snoozed_until),
    version: Number(row.version),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export type ConversationChange = Partial<
  Pick<ConversationTable, 'status' | 'assignee_id' | 'labels' | 'snoozed_until' | 'handled_by' | 'unread_count'>
>;

/**
 * Applies a change if the conversation is still at `version` (when given); the row after it, or undefined when the
 * version moved on (the caller answers a conflict).
 */
export async function updateConversation(
  db: Executor,
  id: string,
  change: ConversationChange,
  now: number,
  version: number | null,
): Promise<ConversationTable | undefined> {
  let q = db
    .updateTable('conversations')
    .set({ ...change, version: sql<number>`version + 1`, updated_at: now })
    .where('id', '=', id);
  if (version !== null) q = q.where('version', '=', version);
  const r = await q.executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return undefined;
  return findConversation(db, id, null);
}

/** Snoozed conversations whose time has come, at most `limit`: they open again. */
export async function wakeSnoozed(db: Executor, now: number, limit: number): Promise<ConversationTable[]> {
  const due = await db
    .selectFrom('conversations')
    .selectAll()
    .where('status', '=', 'snoozed')
    .where('snoozed_until', '<=', now)
    .orderBy('snoozed_until')
    .limit(limit)
    .execute();
  const woken: ConversationTable[] = [];
  for (const row of due) {
    const after = await updateConversation(
      db,
      row.id,
      { status: 'open', snoozed_until: null },
      now,
      Number(row.version),
    );
    if (after) woken.push(after);
  }
  return woken;
}

export type WindowFilter = 'open' | 'closing_soon' | 'human_agent' | 'closed';

export interface ConversationQuery {
  pageId: string;
  status: ConversationTable['status'];
  /** The operator asking (for `mine`); null for a token, which is nobody's assignee. */
  userId: string | null;
  assignee: 'me' | 'unassigned' | 'all';
  unread: boolean;
  unreplied: boolean;
  window: WindowFilter | null;
  /** Per query word, the tokens that match it (names' and messages', under every key version): all words must match. */
  words: { name: string; message: string[] }[];
  sort: 'waiting_since' | 'last_activity';
  after: { key: number; id: string } | null;
  limit: number;
  now: number;
  windowMs: number;
  humanAgentWindowMs: number;
  closingSoonMs: number;
}

type Where = (eb: ExpressionBuilder<DB & { c: ConversationTable }, 'c'>) => Expression<SqlBool>;

function filters(q: ConversationQuery): Where[] {
  const out: Where[] = [];
  out.push((eb) => eb('c.page_id', '=', q.pageId));
  out.push((eb) => eb('c.status', '=', q.status));
  if (q.unread) out.push((eb) => eb('c.unread_count', '>', 0));
  if (q.unreplied) out.push((eb) => eb('c.waiting_since', 'is not', null));
  if (q.window) {
    const standardFrom = q.now - q.windowMs;
    const agentFrom = q.now - q.humanAgentWindowMs;
    const w = q.window;
    if (w === 'closing_soon' || w === 'human_agent') {
      // A bounded range of last actions: the contacts index finds the few, the conversations follow by key.
      const [from, to] =
        w === 'closing_soon' ? [standardFrom, standardFrom + q.closingSoonMs] : [agentFrom, standardFrom];
      out.push((eb) =>
        eb(
          'c.contact_id',
          'in',
          eb
            .selectFrom('contacts')
            .select('id')
            .where('page_id', '=', q.pageId)
            .where('last_user_action_at', '>', from)
            .where('last_user_action_at', '<=', to),
        ),
      );
    } else {
      // Most conversations fit: each candidate's contact is looked up by key.
      out.push((eb) =>
        eb.exists(
          eb
            .selectFrom('contacts as ct')
            .select('ct.id')
            .whereRef('ct.id', '=', 'c.contact_id')
            .where((e) => {
              const at = e.ref('ct.last_user_action_at');
              return w === 'open' ? e(at, '>', standardFrom) : e.or([e(at, 'is', null), e(at, '<=', agentFrom)]);
            }),
        ),
      );
    }
  }
  for (const word of q.words) {
    // One set per word (its name matches and its message matches), which the planner can start from.
    out.push((eb) =>
      eb(
        'c.contact_id',
        'in',
        eb
          .selectFrom('contact_name_tokens')
          .select('contact_id')
          .where('page_id', '=', q.pageId)
          .where('token', '=', word.name)
          .union(
            eb
              .selectFrom('message_tokens')
              .select('contact_id')
              .where('page_id', '=', q.pageId)
              .where('token', 'in', word.message),
          ),
      ),
    );
  }
  return out;
}

/**
 * Whether the query keeps only the conversations of a set of contacts found first (words, or a bounded range of last
 * actions): a few thousand at most, and not spread evenly over the list's order (a window closing soon is a day
 * old), so walking the list in order until a page is full may read nearly all of it.
 */
function startsFromContacts(q: ConversationQuery): boolean {
  return q.words.length > 0 || q.window === 'closing_soon' || q.window === 'human_agent';
}

/**
 * One page of a Page's conversations in the order asked, by keyset (`after`). When the filters start from a set of
 * contacts, that set's conversations are found first (a materialised CTE: the planner cannot trade it for a walk of
 * the whole list in order, hoping to meet them early) and only they are sorted.
 */
export async function listConversations(db: Executor, q: ConversationQuery): Promise<ConversationTable[]> {
  const all = db.selectFrom('conversations as c').selectAll('c');
  const listing = startsFromContacts(q)
    ? // The CTE's rows are conversations rows under the same alias: the same filters and order apply.
      (db
        .with(
          (cte) => cte('matched').materialized(),
          (w) => filtered(w.selectFrom('conversations as c').selectAll('c'), q),
        )
        .selectFrom('matched as c')
        .selectAll('c') as unknown as Listing)
    : filtered(all, q);
  return (await pageOf(listing, q).execute()).map(numeric);
}

type Listing = SelectQueryBuilder<DB & { c: ConversationTable }, 'c', ConversationTable>;

function filtered(listing: Listing, q: ConversationQuery): Listing {
  let query = listing;
  for (const f of filters(q)) query = query.where(f);
  return query;
}

/** The tab, the keyset and the order of one page of the list. */
function pageOf(listing: Listing, q: ConversationQuery): Listing {
  let query = listing;
  if (q.assignee === 'me')
    query = q.userId === null ? query.where(sql<SqlBool>`1 = 0`) : query.where('c.assignee_id', '=', q.userId);
  if (q.assignee === 'unassigned') query = query.where('c.assignee_id', 'is', null);
  const after = q.after;
  if (q.sort === 'waiting_since') {
    // The unanswered first, oldest wait first, then the rest: an expression index serves this order.
    const key = sql<number>`coalesce(c.waiting_since, 9007199254740991)`;
    if (after)
      query = query.where((eb) =>
        eb.or([eb(key, '>', after.key), eb.and([eb(key, '=', after.key), eb('c.id', '>', after.id)])]),
      );
    query = query.orderBy(key).orderBy('c.id');
  } else {
    if (after)
      query = query.where((eb) =>
        eb.or([
          eb('c.last_activity_at', '<', after.key),
          eb.and([eb('c.last_activity_at', '=', after.key), eb('c.id', '<', after.id)]),
        ]),
      );
    query = query.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc');
  }
  return query.limit(q.limit);
}

/** The three tabs' counts for the same status and filters, in one query. */
export async function countConversations(
  db: Executor,
  q: ConversationQuery,
): Promise<{ mine: number; unassigned: number; all: number }> {
  let query = db
    .selectFrom('conversations as c')
    .select((eb) => [
      eb.fn.countAll().as('all'),
      eb.fn.sum(eb.case().when('c.assignee_id', 'is', null).then(1).else(0).end()).as('unassigned'),
      eb.fn
        .sum(q.userId === null ? sql<number>`0` : eb.case().when('c.assignee_id', '=', q.userId).then(1).else(0).end())
        .as('mine'),
    ]);
  for (const f of filters(q)) query = query.where(f);
  const row = await query.executeTakeFirst();
  return { mine: Number(row?.mine ?? 0), unassigned: Number(row?.unassigned ?? 0), all: Number(row?.all ?? 0) };
}

/** The sort key of a row, as the cursor carries it. */
export function sortKeyOf(row: ConversationTable, sort: ConversationQuery['sort']): number {
  return sort === 'waiting_since' ? (row.waiting_since ?? Number.MAX_SAFE_INTEGER) : row.last_activity_at;
}

export async function contactsByIds(db: Executor, ids: readonly string[]): Promise<ContactTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function messagesByIds(db: Executor, ids: readonly string[]): Promise<MessageTable[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Replaces a message's search tokens (under one key version). */
export async function replaceMessageTokens(
  db: Executor,
  messageId: string,
  rows: readonly MessageTokenTable[],
): Promise<void> {
  await db.deleteFrom('message_tokens').where('message_id', '=', messageId).execute();
  if (rows.length)
    await db
      .insertInto('message_tokens')
      .values([...rows])
      .execute();
}

export async function insertMessageTokens(db: Executor, rows: readonly MessageTokenTable[]): Promise<void> {
  if (rows.length)
    await db
      .insertInto('message_tokens')
      .values([...rows])
      .execute();
}

/** Messages after (created_at, id) in that order, for the search index's walk. */
export async function messagesAfter(
  db: Executor,
  after: { createdAt: number; id: string } | null,
  limit: number,
): Promise<MessageTable[]> {
  let q = db.selectFrom('messages').selectAll().orderBy('created_at').orderBy('id').limit(limit);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]),
    );
  return q.execute();
}
