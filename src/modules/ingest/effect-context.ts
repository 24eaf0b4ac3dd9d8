import type { Transaction } from 'kysely';
import { sealContactField } from '../../crypto/contact-layer.ts';
import type { KeyDeferral } from '../../crypto/contact-key-store.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { newId } from '../../lib/ids.ts';
import { insertContactEvent } from '../conversations/messages.repository.ts';

/** What every effect gets: the app, the processing transaction, the processing time and the delivery it came from. */
export interface EffectContext {
  ctx: AppContext;
  trx: Transaction<DB>;
  now: number;
  postId: string;
  /** The turn's contact keys not yet flushed: a new contact's key is made with it (see ContactKeyStore.keyFor). */
  keys?: KeyDeferral;
}

/** Appends one item to a contact's activity, its payload encrypted; returns the row id. */
export async function recordContactEvent(
  e: EffectContext,
  contact: ContactTable,
  kind: string,
  at: number,
  data: Record<string, unknown> | null,
): Promise<string> {
  const id = newId('ce', e.now);
  const dataEnc =
    data === null
      ? null
      : sealContactField(e.ctx, contact.id, JSON.stringify(data), {
          table: 'contact_events',
          column: 'data_enc',
          pageId: contact.page_id,
          rowId: id,
        });
  await insertContactEvent(e.trx, {
    id,
    page_id: contact.page_id,
    contact_id: contact.id,
    kind,
    occurred_at: at,
    data_enc: dataEnc,
    created_at: e.now,
  });
  return id;
}

/** Drops undefined fields so stored JSON is canonical. */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
