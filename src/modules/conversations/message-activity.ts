import type { AppContext } from '../../kernel/context.ts';
import type { MessageTable } from '../../db/tables/conversations.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { messageActivitySince } from './messages.repository.ts';
import type { MessageEdit, MessageReaction } from './message.presenter.ts';

export interface MessageActivity {
  /** The newest edit of each of the person's messages, by mid. */
  edits: Map<string, MessageEdit>;
  /** The person's reaction to each message that has one now, by mid. */
  reactions: Map<string, MessageReaction>;
}

/**
 * What the person did to these messages since they were stored, by mid: what they changed a message of theirs to
 * (Messenger shows the new text, marked edited), and the reaction they left on a message (theirs or the Page's).
 * Read from the contact events that keep them, whichever arrived first, the message or what was done to it, so the
 * history says the same whatever order Meta's webhooks came in.
 */
export async function messageActivity(
  ctx: AppContext,
  rows: readonly MessageTable[],
  opts: { reactions?: boolean } = {},
): Promise<MessageActivity> {
  const activity: MessageActivity = { edits: new Map(), reactions: new Map() };
  const reactions = opts.reactions ?? true;
  // Without reactions, only the person's own messages can have what is looked for (an edit).
  const withMid = rows.filter((r) => r.mid !== null && (reactions || r.direction === 'inbound'));
  if (withMid.length === 0) return activity;
  const mids = new Set(withMid.map((r) => r.mid!));
  const inbound = new Set(withMid.filter((r) => r.direction === 'inbound').map((r) => r.mid!));
  const since = Math.min(...withMid.map((r) => Number(r.sent_at)));
  const contactIds = [...new Set(withMid.map((r) => r.contact_id))];
  // Newest first: the first reaction met for a message is its state now (a later "unreact" took it back).
  const reacted = new Set<string>();
  const kinds = reactions ? (['message_edit', 'reaction'] as const) : (['message_edit'] as const);
  for (const e of await messageActivitySince(ctx.db, contactIds, since, kinds)) {
    const field = { table: 'contact_events', column: 'data_enc', pageId: e.page_id, rowId: e.id };
    let data: { mid?: string; text?: string; num_edit?: number; action?: string; emoji?: string; reaction?: string };
    try {
      data = JSON.parse(openContactField(ctx, e.contact_id, e.data_enc!, field)) as typeof data;
    } catch {
      continue; // its contact was erased meanwhile: nothing of it can be read
    }
    if (typeof data.mid !== 'string' || !mids.has(data.mid)) continue;
    const at = Number(e.occurred_at);
    if (e.kind === 'reaction') {
      if (reacted.has(data.mid)) continue;
      reacted.add(data.mid);
      if (data.action === 'react' && (data.emoji || data.reaction))
        activity.reactions.set(data.mid, { emoji: data.emoji ?? null, reaction: data.reaction ?? null, at });
      continue;
    }
    if (!inbound.has(data.mid) || typeof data.text !== 'string') continue;
    const count = data.num_edit ?? 1;
    const known = activity.edits.get(data.mid);
    // Meta numbers a message's edits: the highest is the newest, whatever the order they were stored in.
    if (!known || count > known.count) activity.edits.set(data.mid, { text: data.text, at, count });
  }
  return activity;
}
