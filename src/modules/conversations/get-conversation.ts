import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import { assertCan, pageScopeOf, type Actor } from '../access/actor.ts';
import type { Executor } from '../../db/types.ts';
import type { ConversationTable } from '../../db/tables/inbox.ts';
import { findConversation } from './conversations.repository.ts';
import type { ConversationView } from './conversation.presenter.ts';
import { presentConversations } from './present-conversations.ts';

/** A conversation the actor may see, or not_found (another Page's conversation is not found too). */
export async function loadVisibleConversation(db: Executor, actor: Actor, id: string): Promise<ConversationTable> {
  const row = await findConversation(db, id, pageScopeOf(actor));
  if (!row) throw notFound('conversation');
  return row;
}

/** One conversation as the inbox shows it. */
export async function getConversation(ctx: AppContext, actor: Actor, id: string): Promise<ConversationView> {
  assertCan(actor, 'messages:read');
  const [view] = await presentConversations(ctx, [await loadVisibleConversation(ctx.db, actor, id)]);
  if (!view) throw notFound('conversation');
  return view;
}
