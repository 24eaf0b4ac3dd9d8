import type { AppContext } from '../../kernel/context.ts';
import { assertCan, pageScopeOf, type Actor } from '../access/actor.ts';
import { eventBounds, eventsAfter, type InboxEvent } from './events.repository.ts';

export interface EventView {
  seq: number;
  type: InboxEvent['type'];
  page_id: string;
  conversation_id?: string;
  contact_id?: string;
  message_id?: string;
  delivery_id?: string;
  campaign_id?: string;
  at: string;
}

export interface EventPage {
  data: EventView[];
  /** Where to continue from: the last seq this reader has been shown, or the head when it starts or resets. */
  next_after: number;
  /** The reader is further behind than the events kept (or ahead of them): it refetches what it shows, then goes on. */
  reset: boolean;
}

/** Ids only, as the contract promises: never a PSID, a name or a text. */
export function presentEvent(e: InboxEvent): EventView {
  return {
    seq: e.seq,
    type: e.type,
    page_id: e.page_id,
    ...(e.conversation_id !== null && { conversation_id: e.conversation_id }),
    ...(e.contact_id !== null && { contact_id: e.contact_id }),
    ...(e.message_id !== null && { message_id: e.message_id }),
    ...(e.delivery_id !== null && { delivery_id: e.delivery_id }),
    ...(e.campaign_id !== null && e.campaign_id !== undefined && { campaign_id: e.campaign_id }),
    at: new Date(e.at).toISOString(),
  };
}

/**
 * The inbox events after `after` on the Pages the reader may see, oldest first. Without `after` the answer is the
 * head (no events): a client loads its lists, then follows from there. A reader too far behind (events pruned) or
 * ahead (a restored database) is told to reset.
 */
export async function listEvents(
  ctx: AppContext,
  actor: Actor,
  after: number | null,
  limit: number,
): Promise<EventPage> {
  assertCan(actor, 'contacts:read');
  const bounds = await eventBounds(ctx.db);
  if (after === null) return { data: [], next_after: bounds.newest, reset: false };
  if (after > bounds.newest || (bounds.oldest > 0 && after < bounds.oldest - 1))
    return { data: [], next_after: bounds.newest, reset: true };
  // Up to the newest seen before reading: seqs become visible in order, so when fewer than `limit` come back the
  // reader has seen everything up to it, and one who may see only some Pages skips the others' events for good.
  const rows = await eventsAfter(ctx.db, after, bounds.newest, pageScopeOf(actor), limit);
  return {
    data: rows.map(presentEvent),
    next_after: rows.length === limit ? rows[rows.length - 1]!.seq : bounds.newest,
    reset: false,
  };
}
