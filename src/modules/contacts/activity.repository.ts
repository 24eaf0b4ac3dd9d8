import type { Executor } from '../../db/types.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';

/** A contact's history rows by author (`contact`, `agent`, `note`, …): how many, and when the newest was sent. */
export async function messageStatsByAuthor(
  db: Executor,
  contactId: string,
): Promise<Partial<Record<MessageTable['author'], { count: number; lastAt: number }>>> {
  const rows = await db
    .selectFrom('messages')
    .select((eb) => ['author', eb.fn.countAll<number | string>().as('n'), eb.fn.max('sent_at').as('last_at')])
    .where('contact_id', '=', contactId)
    .groupBy('author')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.author, { count: Number(r.n), lastAt: Number(r.last_at) }]));
}

/**
 * When an operator last resolved the conversation: its newest `conversation.update` audit row whose changes set the
 * status to resolved (the audit row is written with the change, in the same transaction).
 */
export async function lastResolvedAt(db: Executor, conversationId: string): Promise<number | null> {
  const row = await db
    .selectFrom('audit_events')
    .select('at')
    .where('subject_id', '=', conversationId)
    .where('action', '=', 'conversation.update')
    .where('details', 'like', '%"status":{"from":"%","to":"resolved"}%')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.at) : null;
}
