import type { Executor } from '../../db/types.ts';

// Processing drops a raw body once applied; a failed delivery keeps its body until here. Pending ones are never touched.
const SETTLED_DELIVERY = ['processed', 'failed'] as const;
const FINAL_SEND = ['sent', 'delivered', 'read', 'failed', 'skipped'] as const;

export async function staleRawPosts(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_posts')
    .select('id')
    .where('received_at', '<', cutoff)
    .where('body_enc', 'is not', null)
    .where('status', 'in', [...SETTLED_DELIVERY])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function purgeRawPosts(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('webhook_posts')
    .set({ body_enc: null, status: 'purged' })
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function staleRawEvents(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_events')
    .select('id')
    .where('created_at', '<', cutoff)
    .where('raw_enc', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function purgeRawEvents(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('webhook_events')
    .set({ raw_enc: null })
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function staleMessageTexts(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('sent_at', '<', cutoff)
    .where((eb) =>
      eb.or([
        eb('text_enc', 'is not', null),
        eb('attachments_enc', 'is not', null),
        eb('quick_reply_enc', 'is not', null),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Keeps the history row (who wrote when) and drops what was said. */
export async function purgeMessageTexts(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('messages')
    .set({ text_enc: null, attachments_enc: null, quick_reply_enc: null })
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * What a person wrote that is kept as a contact event rather than in the history: an edit's new text
 * (`message_edit`) and a feedback form's answers, free-form text among them (`feedback`). The message-text limit
 * drops their data with the texts; the event itself (what happened when) stays, as a message row does.
 */
const WRITTEN_EVENT_KINDS = ['message_edit', 'feedback'] as const;

export async function staleWrittenEvents(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_events')
    .select('id')
    .where('kind', 'in', [...WRITTEN_EVENT_KINDS])
    .where('occurred_at', '<', cutoff)
    .where('data_enc', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function purgeWrittenEvents(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('contact_events')
    .set({ data_enc: null })
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Finished sends older than the cutoff: their bodies repeat the message text and cannot be blanked (not null). */
export async function staleDeliveries(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('id')
    .where('created_at', '<', cutoff)
    .where('status', 'in', [...FINAL_SEND])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteDeliveries(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .deleteFrom('deliveries')
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function inactiveContacts(
  db: Executor,
  cutoff: number,
  limit: number,
): Promise<{ id: string; page_id: string }[]> {
  return db
    .selectFrom('contacts')
    .select(['id', 'page_id'])
    .where('last_seen_at', '<', cutoff)
    .where('status', '<>', 'erased')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Counts of failed authentications whose minute ended before the cutoff (noise, apart from the audit log). */
export async function staleAuthFailures(db: Executor, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('auth_failures')
    .select('id')
    .where('minute', '<', cutoff)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteAuthFailures(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .deleteFrom('auth_failures')
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
