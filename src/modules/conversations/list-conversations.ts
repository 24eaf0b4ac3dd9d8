import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, operatorIdOf, type Actor } from '../access/actor.ts';
import { HUMAN_AGENT_WINDOW_MS, WINDOW_MS } from '../messaging/send.policy.ts';
import { presentConversations } from './present-conversations.ts';
import {
  listConversations as listRows,
  sortKeyOf,
  type ConversationQuery,
  type WindowFilter,
} from './conversations.repository.ts';
import type { ConversationView } from './conversation.presenter.ts';
import { searchWords } from './message-tokens.ts';
import type { ConversationTable } from '../../db/tables/inbox.ts';

/** A standard window that ends within this is "closing soon". */
export const CLOSING_SOON_MS = 2 * 3600_000;

export interface ConversationListInput {
  assignee: 'me' | 'unassigned' | 'all';
  status: ConversationTable['status'];
  q: string | null;
  sort: 'waiting_since' | 'last_activity';
  unread: boolean;
  unreplied: boolean;
  window: WindowFilter | null;
  cursor: string | null;
  limit: number;
}

export interface ConversationList {
  data: ConversationView[];
  counts: { mine: number; unassigned: number; all: number };
  next_cursor: string | null;
}

function parseCursor(cursor: string | null): { key: number; id: string } | null {
  if (cursor === null) return null;
  const m = /^(\d{1,16})\.(cv_[0-9a-z]{26})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not one this API returned');
  return { key: Number(m[1]), id: m[2]! };
}

/**
 * One Page's inbox: a tab (mine, unassigned, all) of conversations in one status, filtered and sorted, with the three
 * tabs' counts for the same filters in the same answer. `q` matches the start of name words and whole message words,
 * through keyed tokens: no text is stored or compared in the clear.
 */
export async function listConversations(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: ConversationListInput,
): Promise<ConversationList> {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  const query: ConversationQuery = {
    dialect: ctx.database.dialect,
    pageId,
    status: input.status,
    userId: operatorIdOf(actor),
    assignee: input.assignee,
    unread: input.unread,
    unreplied: input.unreplied,
    window: input.window,
    words: input.q ? searchWords(ctx.keyring, input.q) : [],
    sort: input.sort,
    after: parseCursor(input.cursor),
    limit: input.limit + 1,
    now: ctx.clock.now(),
    windowMs: WINDOW_MS,
    humanAgentWindowMs: HUMAN_AGENT_WINDOW_MS,
    closingSoonMs: CLOSING_SOON_MS,
  };
  const { rows, counts } = await listRows(ctx.db, query);
  const page = pageOf(rows, input.limit, (last) => `${sortKeyOf(last, input.sort)}.${last.id}`);
  return { data: await presentConversations(ctx, page.rows), counts, next_cursor: page.nextCursor };
}
