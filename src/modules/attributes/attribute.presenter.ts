import type { AttributeDefinitionTable } from '../../db/tables/audience.ts';
import { toIso } from '../../lib/time.ts';

export function presentDefinition(row: AttributeDefinitionTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    key: row.key,
    type: row.type,
    personal: row.personal === 1,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type AttributeDefinitionView = ReturnType<typeof presentDefinition>;

/** A contact's tags after a change. */
export function presentContactTags(contactId: string, tags: readonly string[]) {
  return { contact_id: contactId, tags: [...tags] };
}

/** A contact's attribute values after a change (a personal one decrypted, as the contact JSON shows it). */
export function presentContactAttributes(contactId: string, attributes: Record<string, unknown>) {
  return { contact_id: contactId, attributes };
}

/** A Page's tags in use, each with how many contacts carry it. */
export function presentTagCount(row: { tag: string; count: number }) {
  return { tag: row.tag, count: row.count };
}
