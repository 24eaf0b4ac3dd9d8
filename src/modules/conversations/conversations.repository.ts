import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type QueryCreator,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Executor } from '../../db/types.ts';
import type { ConversationTable, MessageTokenTable } from '../../db/tables/inbox.ts';
import type { ContactTable, MessageTable } from '../../db/tables/conversations.ts';
import { PreparedInsert, PreparedQuery } from '../../db/prepared.ts';
import { gatherOrInsert } from '../../db/gathered-inserts.ts';

/** A conversation's id is its contact's with another prefix: found, opened and reopened by key. */
export const conversationIdOf = (contactId: string): string => `cv_${contactId.slice(contactId.indexOf('_') + 1)}`;

/**
 * A conversation as it opens: open, unassigned, handled by the bot (the Page's automation rules may answer until an
 * agent replies or takes over), its first message the one that opened it.
 */
const OPENED = {
  status: 'open',
  assignee_id: null,
  handled_by: 'bot',
  labels: '[]',
  snoozed_until: null,
  version: 1,
} as const satisfies Partial<ConversationTable>;

function openedRow(
  t: { pageId: string; contactId: string; messageId: string; now: number },
  first: { unread: number; waitingSince: number | null; lastActivityAt: number },
): ConversationTable {
  return {
    ...OPENED,
    id: conversationIdOf(t.contactId),
    page_id: t.pageId,
    contact_id: t.contactId,
    unread_count: first.unread,
    waiting_since: first.waitingSince,
    last_message_id: t.messageId,
    last_activity_at: first.lastActivityAt,
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
  await reopenInbound.run(db, {
    id,
    page_id: t.pageId,
    contact_id: t.contactId,
    message_id: t.messageId,
    at: t.sentAt,
    now: t.now,
  });
  return id;
}

const reopenInbound = new PreparedQuery<
  { id: string; page_id: string; contact_id: string; message_id: string; at: number; now: number },
  never
>((db, slot) =>
  db
    .insertInto('conversations')
    // The row openedRow makes (the same constants), with the run's values in its slots.
    .values({
      ...OPENED,
      id: slot('id'),
      page_id: slot('page_id'),
      contact_id: slot('contact_id'),
      unread_count: 1,
      waiting_since: slot('at'),
      last_message_id: slot('message_id'),
      last_activity_at: slot('at'),
      created_at: slot('now'),
      updated_at: slot('now'),
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        status: sql`case when conversations.status in ('resolved', 'snoozed') then 'open' else conversations.status end`,
        snoozed_until: null,
        unread_count: sql`conversations.unread_count + 1`,
        waiting_since: sql`coalesce(conversations.waiting_since, excluded.waiting_since)`,
        last_message_id: sql`case when excluded.last_activity_at >= conversations.last_activity_at then excluded.last_message_id else conversations.last_message_id end`,
        last_activity_at: sql`case when excluded.last_activity_at > conversations.last_activity_at then excluded.last_activity_at else conversations.last_activity_at end`,
        version: sql`conversations.version + 1`,
        updated_at: slot('now'),
      }),
    ),
);

export interface OutboundTouch {
  pageId: string;
  contactId: string;
  messageId: string;
  at: number;
  now: number;
  /** An answer (agent, automation) ends the wait; a campaign message does not. */
  answers: boolean;
  /** An agent's reply: people handle the conversation from now (the automation rules fall silent). */
  takesOver: boolean;
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
    ...(t.takesOver && { handled_by: 'human' as const }),
    last_message_id: sql<string>`case when ${t.at} >= conversations.last_activity_at then ${t.messageId} else conversations.last_message_id end`,
    last_activity_at: sql<number>`case when ${t.at} > conversations.last_activity_at then ${t.at} else conversations.last_activity_at end`,
    version: sql<number>`conversations.version + 1`,
    updated_at: t.now,
  };
  if (t.create) {
    await db
      .insertInto('conversations')
      .values({
        ...openedRow(t, { unread: 0, waitingSince: null, lastActivityAt: t.at }),
        ...(t.takesOver && { handled_by: 'human' as const }),
      })
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
  /** Which database runs the query: PostgreSQL is told how to reach a set of contacts' conversations (see `matched`). */
  dialect: 'sqlite' | 'postgres';
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

type Listing = SelectQueryBuilder<DB & { c: ConversationTable }, 'c', ConversationTable>;

/** The range of last actions a bounded window filter keeps (closing soon, human agent), or null. */
function windowRange(q: ConversationQuery): [number, number] | null {
  const standardFrom = q.now - q.windowMs;
  if (q.window === 'closing_soon') return [standardFrom, standardFrom + q.closingSoonMs];
  if (q.window === 'human_agent') return [q.now - q.humanAgentWindowMs, standardFrom];
  return null;
}

/** The filters every row must pass, but for the one the query starts from (`matched` below). */
function filters(db: Executor, q: ConversationQuery, skip: 'window' | 'first-word' | null): Where[] {
  const out: Where[] = [];
  out.push((eb) => eb('c.page_id', '=', q.pageId));
  out.push((eb) => eb('c.status', '=', q.status));
  if (q.unread) out.push((eb) => eb('c.unread_count', '>', 0));
  if (q.unreplied) out.push((eb) => eb('c.waiting_since', 'is not', null));
  const range = windowRange(q);
  if (range && skip !== 'window') {
    const [from, to] = range;
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
  } else if (q.window === 'open' || q.window === 'closed') {
    // Most conversations fit: each candidate's contact is looked up by key.
    const standardFrom = q.now - q.windowMs;
    const agentFrom = q.now - q.humanAgentWindowMs;
    const w = q.window;
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
  q.words.forEach((word, i) => {
    if (i === 0 && skip === 'first-word') return;
    out.push((eb) => eb('c.contact_id', 'in', wordMatches(db, q.pageId, word)));
  });
  return out;
}

/** The contacts one search word matches: its name matches and its message matches. */
function wordMatches(
  db: QueryCreator<DB>,
  pageId: string,
  word: ConversationQuery['words'][number],
): SelectQueryBuilder<DB, 'contact_name_tokens', { contact_id: string }> {
  return db
    .selectFrom('contact_name_tokens')
    .select('contact_id')
    .where('page_id', '=', pageId)
    .where('token', '=', word.name)
    .union(
      db
        .selectFrom('message_tokens')
        .select('contact_id')
        .where('page_id', '=', pageId)
        .where('token', 'in', word.message),
    );
}

/**
 * The conversations the filters keep. When a filter keeps only the conversations of a set of contacts found first (a
 * search word, a bounded range of last actions: a few thousand at most), the query starts from that set and reaches
 * each conversation by its contact, a unique key; tested as a filter on the Page's whole list instead, every open
 * conversation would be read to find them. PostgreSQL, costing each lookup as a read from disk, would rather hash the
 * set and read all of a Page's conversations in one sequential scan (80,000 rows to keep 5,760 for a window closing
 * soon at 100,000 conversations); for a window, the lookup of each contact's one conversation (a LATERAL subquery of
 * one row: the contact is a unique key, so the LIMIT changes nothing but the plan) makes it probe the index instead.
 * A search word's set (10,000 of 80,000 there) is left to the hash join, which measured faster.
 *
 * SQLite, without statistics, would rather walk all of a Page's open conversations in the list index and probe an
 * automatic index built over the word's contacts for each (80,000 probes to keep a few thousand). A CROSS JOIN is
 * SQLite's way to fix the order of a join: the word's contacts, read once from the token index in contact order, then
 * each one's conversation from `conversations_contact_listing` (migration 0037), which holds every column the list
 * reads before its page, so the table is not read for conversations that do not make the page.
 */
function matched(db: Executor, q: ConversationQuery): Listing {
  const range = windowRange(q);
  let query: Listing;
  let skip: 'window' | 'first-word' | null = null;
  if (q.words.length > 0) {
    skip = 'first-word';
    const words = db.selectFrom(wordMatches(db, q.pageId, q.words[0]!).as('w'));
    query = (q.dialect === 'sqlite'
      ? words.crossJoin('conversations as c').whereRef('c.contact_id', '=', 'w.contact_id')
      : words.innerJoin('conversations as c', 'c.contact_id', 'w.contact_id')
    ).selectAll('c') as unknown as Listing;
  } else if (range) {
    skip = 'window';
    const from = db
      .selectFrom('contacts as ct')
      .where('ct.page_id', '=', q.pageId)
      .where('ct.last_user_action_at', '>', range[0])
      .where('ct.last_user_action_at', '<=', range[1]);
    query = (q.dialect === 'postgres'
      ? from.innerJoinLateral(
          (eb) =>
            eb.selectFrom('conversations as c').selectAll('c').whereRef('c.contact_id', '=', 'ct.id').limit(1).as('c'),
          (join) => join.onTrue(),
        )
      : from.innerJoin('conversations as c', 'c.contact_id', 'ct.id')
    ).selectAll('c') as unknown as Listing;
  } else query = db.selectFrom('conversations as c').selectAll('c');
  for (const f of filters(db, q, skip)) query = query.where(f);
  return query;
}

/** Whether the query starts from a set of contacts (see `matched`). */
function startsFromContacts(q: ConversationQuery): boolean {
  return q.words.length > 0 || windowRange(q) !== null;
}

export type TabCounts = { mine: number; unassigned: number; all: number };

/**
 * One page of a Page's conversations in the order asked, by keyset (`after`), and the three tabs' counts for the same
 * status and filters.
 *
 * When the query starts from a set of contacts, one statement reads that set once: it is materialised with only what
 * ordering and counting need (the planner cannot trade it for a walk of the whole list in order, hoping to meet them
 * early — the set is not spread evenly over the list's order: a window closing soon is a day old), the page is sorted
 * from it and its rows read by key, and the three counts are one aggregate over it, even when the page is empty. Otherwise the page walks an index in order and
 * stops when full, and the counts read the covering index.
 */
export async function listConversations(
  db: Executor,
  q: ConversationQuery,
): Promise<{ rows: ConversationTable[]; counts: TabCounts }> {
  if (!startsFromContacts(q)) {
    const [rows, counts] = await Promise.all([pageOf(matched(db, q), q).execute(), countConversations(db, q)]);
    return { rows: rows.map(numeric), counts };
  }
  const keys = matched(db, q)
    .clearSelect()
    .select(['c.id', 'c.last_activity_at', 'c.waiting_since', 'c.assignee_id']) as unknown as Listing;
  const rows = await db
    .with(
      (cte) => cte('matched').materialized(),
      () => keys,
    )
    .with('counts', (w) =>
      w
        .selectFrom('matched as m')
        .select((eb) => [
          eb.fn.countAll().as('count_all'),
          eb.fn.sum(eb.case().when('m.assignee_id', 'is', null).then(1).else(0).end()).as('count_unassigned'),
          eb.fn
            .sum(
              q.userId === null ? sql<number>`0` : eb.case().when('m.assignee_id', '=', q.userId).then(1).else(0).end(),
            )
            .as('count_mine'),
        ]),
    )
    .with('page', (w) => pageOf(w.selectFrom('matched as c').select('c.id') as unknown as Listing, q))
    // The counts' one row, joined to the page's rows: an empty page still brings the counts.
    .selectFrom('counts as n')
    .leftJoin('page as p', (j) => j.onTrue())
    .leftJoin('conversations as c', 'c.id', 'p.id')
    .selectAll('c')
    .select(['n.count_all', 'n.count_unassigned', 'n.count_mine'])
    .$call((query) => ordered(query as unknown as Listing, q.sort) as unknown as typeof query)
    .execute();
  const first = rows[0];
  const counts = {
    all: Number(first?.count_all ?? 0),
    unassigned: Number(first?.count_unassigned ?? 0),
    mine: Number(first?.count_mine ?? 0),
  };
  return {
    rows: rows
      .filter((row) => row.id !== null)
      .map(({ count_all: _a, count_unassigned: _u, count_mine: _m, ...row }) => numeric(row as ConversationTable)),
    counts,
  };
}

/** The tab, the keyset and the order of one page of the list. */
function pageOf(listing: Listing, q: ConversationQuery): Listing {
  let query = listing;
  if (q.assignee === 'me')
    query = q.userId === null ? query.where(sql<SqlBool>`1 = 0`) : query.where('c.assignee_id', '=', q.userId);
  if (q.assignee === 'unassigned') query = query.where('c.assignee_id', 'is', null);
  const after = q.after;
  if (after && q.sort === 'waiting_since')
    query = query.where((eb) =>
      eb.or([eb(WAITING_KEY, '>', after.key), eb.and([eb(WAITING_KEY, '=', after.key), eb('c.id', '>', after.id)])]),
    );
  else if (after)
    query = query.where((eb) =>
      eb.or([
        eb('c.last_activity_at', '<', after.key),
        eb.and([eb('c.last_activity_at', '=', after.key), eb('c.id', '<', after.id)]),
      ]),
    );
  return ordered(query, q.sort).limit(q.limit);
}

/** The unanswered first, oldest wait first, then the rest: an expression index serves this order. */
const WAITING_KEY = sql<number>`coalesce(c.waiting_since, 9007199254740991)`;

function ordered(query: Listing, sort: ConversationQuery['sort']): Listing {
  return sort === 'waiting_since'
    ? query.orderBy(WAITING_KEY).orderBy('c.id')
    : query.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc');
}

/** The three tabs' counts for the same status and filters, in one query. */
export async function countConversations(db: Executor, q: ConversationQuery): Promise<TabCounts> {
  const row = await matched(db, q)
    .clearSelect()
    .select((eb) => [
      eb.fn.countAll().as('all'),
      eb.fn.sum(eb.case().when('c.assignee_id', 'is', null).then(1).else(0).end()).as('unassigned'),
      eb.fn
        .sum(q.userId === null ? sql<number>`0` : eb.case().when('c.assignee_id', '=', q.userId).then(1).else(0).end())
        .as('mine'),
    ])
    .executeTakeFirst();
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

/**
 * Adds the search tokens of a message (the index rebuild's walk): a contact's word already indexed keeps one row,
 * with the newer of the two times.
 */
export async function indexMessageTokens(db: Executor, rows: readonly MessageTokenTable[]): Promise<void> {
  await upsertTokens.run(db, newestPerKey([...rows]));
}

/** Adds a message's search tokens (gathered in a processing turn, and inserted in index order; see gathered-inserts). */
export async function insertMessageTokens(db: Executor, rows: readonly MessageTokenTable[]): Promise<void> {
  await gatherOrInsert(db, 'message_tokens', rows, async (d, all) => {
    await upsertTokens.run(d, newestPerKey(all));
  });
}

/**
 * The rows in the index's key order (page, token, contact), one per key with the newest time: a statement may not
 * update the same row twice (PostgreSQL refuses it), and neighbouring keys share pages of the B-tree.
 */
function newestPerKey(rows: MessageTokenTable[]): MessageTokenTable[] {
  rows.sort(inIndexOrder);
  const out: MessageTokenTable[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last.page_id === r.page_id && last.token === r.token && last.contact_id === r.contact_id) {
      if (r.last_at > last.last_at) out[out.length - 1] = r;
    } else out.push(r);
  }
  return out;
}

/** The order of the search index's key (page, token, contact). */
function inIndexOrder(a: MessageTokenTable, b: MessageTokenTable): number {
  return compare(a.page_id, b.page_id) || compare(a.token, b.token) || compare(a.contact_id, b.contact_id);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// A word the contact's messages already hold costs a lookup, and a write only when this message is newer.
const upsertTokens = new PreparedInsert<MessageTokenTable>(
  ['page_id', 'token', 'contact_id', 'key_version', 'last_at'],
  (db, rows) =>
    db
      .insertInto('message_tokens')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['page_id', 'token', 'contact_id'])
          .doUpdateSet({ last_at: (eb) => eb.ref('excluded.last_at') })
          .where('excluded.last_at', '>', (eb) => eb.ref('message_tokens.last_at')),
      ),
);

/**
 * Drops the search tokens of key versions other than this one whose newest message was sent before `before` (once the
 * rebuild's walk indexed every message).
 */
export async function deleteTokensOfOtherVersions(db: Executor, version: number, before: number): Promise<number> {
  const r = await db
    .deleteFrom('message_tokens')
    .where('key_version', '<>', version)
    .where('last_at', '<', before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Drops the words whose newest message was sent before `cutoff` (retention purges those messages' texts). */
export async function deleteTokensBefore(db: Executor, cutoff: number): Promise<number> {
  const r = await db.deleteFrom('message_tokens').where('last_at', '<', cutoff).executeTakeFirst();
  return Number(r.numDeletedRows);
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
