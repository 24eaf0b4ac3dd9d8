import type { AppContext } from '../../kernel/context.ts';
import { pageOf } from '../../lib/paging.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { mergedContactIds } from '../contacts/contacts.repository.ts';
import { loadVisibleContact } from '../contacts/read-contacts.ts';
import { findDeliveryStates, listMessages as listMessageRows } from './messages.repository.ts';
import { presentMessage, type MessageView } from './message.presenter.ts';
import { messageActivity } from './message-activity.ts';

function parseCursor(cursor: string | null): { sentAt: number; id: string } | null {
  if (cursor === null) return null;
  const m = /^(\d{1,16})\.(msg_[0-9a-z]{26})$/.exec(cursor);
  if (!m) throw new AppError('validation_failed', 'cursor is not one this API returned');
  return { sentAt: Number(m[1]), id: m[2]! };
}

/**
 * A contact's conversation history (with that of contacts merged into it), newest first unless `order` is asc,
 * cursor-paginated by (time, id) so pages never skip or repeat a message.
 */
export async function listContactMessages(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  order: 'asc' | 'desc',
  cursor: string | null,
  limit: number,
): Promise<{ rows: MessageView[]; nextCursor: string | null }> {
  assertCan(actor, 'messages:read');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const contactIds = [contact.id, ...(await mergedContactIds(ctx.db, contact.id))];
  const rows = await listMessageRows(ctx.db, { contactIds, order, after: parseCursor(cursor), limit: limit + 1 });
  const page = pageOf(rows, limit, (last) => `${last.sent_at}.${last.id}`);
  const deliveryIds = page.rows.flatMap((r) => (r.delivery_id === null ? [] : [r.delivery_id]));
  const deliveries = new Map((await findDeliveryStates(ctx.db, deliveryIds)).map((d) => [d.id, d]));
  const { edits, reactions } = await messageActivity(ctx, page.rows);
  const present = (r: (typeof page.rows)[number]) =>
    presentMessage(
      ctx,
      r,
      r.delivery_id === null ? undefined : deliveries.get(r.delivery_id),
      r.mid === null ? {} : { edit: edits.get(r.mid), reaction: reactions.get(r.mid) },
    );
  return { rows: page.rows.map(present), nextCursor: page.nextCursor };
}
