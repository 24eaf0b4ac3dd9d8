import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { messageEditsSince } from './messages.repository.ts';
import type { MessageEdit } from './message.presenter.ts';

/**
 * The newest edit of each of these messages, by mid: what the person changed their message to (Messenger shows the
 * new text, marked edited). Read from the edits kept as contact events, whichever arrived first, the message or its
 * edit, so the history says the same whatever order Meta's webhooks came in.
 */
export async function latestEdits(ctx: AppContext, rows: readonly MessageTable[]): Promise<Map<string, MessageEdit>> {
  const edits = new Map<string, MessageEdit>();
  const inbound = rows.filter((r) => r.direction === 'inbound' && r.mid !== null);
  if (inbound.length === 0) return edits;
  const mids = new Set(inbound.map((r) => r.mid!));
  const since = Math.min(...inbound.map((r) => Number(r.sent_at)));
  const contactIds = [...new Set(inbound.map((r) => r.contact_id))];
  for (const e of await messageEditsSince(ctx.db, contactIds, since)) {
    const field = { table: 'contact_events', column: 'data_enc', pageId: e.page_id, rowId: e.id };
    let data: { mid?: string; text?: string; num_edit?: number };
    try {
      data = JSON.parse(openContactField(ctx, e.contact_id, e.data_enc!, field)) as typeof data;
    } catch {
      continue; // its contact was erased meanwhile: nothing of it can be read
    }
    if (typeof data.mid !== 'string' || !mids.has(data.mid) || typeof data.text !== 'string') continue;
    const count = data.num_edit ?? 1;
    const known = edits.get(data.mid);
    // Meta numbers a message's edits: the highest is the newest, whatever the order they were stored in.
    if (!known || count > known.count) edits.set(data.mid, { text: data.text, at: Number(e.occurred_at), count });
  }
  return edits;
}
