import type { AppContext } from '../../kernel/context.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { appendEvents, pruneEvents } from '../events/events.repository.ts';
import { wakeSnoozed } from './conversations.repository.ts';
import { indexNextMessages } from './search-index.ts';

/** How long inbox events are kept: a client away longer refetches instead of replaying. */
export const EVENT_RETENTION_MS = 7 * 24 * 3600_000;

/** Snoozed conversations whose time has come open again, announced to the inbox; the number woken. */
export async function wakeSnoozedConversations(ctx: AppContext, limit = 200): Promise<number> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const woken = await wakeSnoozed(trx, now, limit);
    await appendEvents(
      trx,
      ctx.database.dialect,
      woken.map((c) => ({
        page_id: c.page_id,
        type: 'conversation.updated' as const,
        conversation_id: c.id,
        contact_id: c.contact_id,
        message_id: null,
        delivery_id: null,
        at: now,
      })),
    );
    return woken.length;
  });
}

/** The inbox's background work: snoozes that end, the search index's rebuild walk, and old events pruned. */
export function startInboxWorkers(ctx: AppContext, opts: { idleMs?: number } = {}): BackgroundWorker[] {
  const idleMs = opts.idleMs ?? 5000;
  let nextPrune = 0;
  return [
    startLoop({ name: 'inbox-snoozes', logger: ctx.logger, idleMs }, () => wakeSnoozedConversations(ctx)),
    startLoop({ name: 'inbox-search-index', logger: ctx.logger, idleMs: idleMs * 6 }, () => indexNextMessages(ctx)),
    startLoop({ name: 'inbox-event-pruning', logger: ctx.logger, idleMs: idleMs * 12 }, async () => {
      const now = ctx.clock.now();
      if (now < nextPrune) return 0;
      const removed = await pruneEvents(ctx.db, now - EVENT_RETENTION_MS, 5000);
      if (removed < 5000) nextPrune = now + 3600_000;
      return removed;
    }),
  ];
}
