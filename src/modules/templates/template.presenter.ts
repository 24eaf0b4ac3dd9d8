import type { MessageTemplateTable } from '../../db/tables/meta-settings.ts';
import { toIso } from '../../lib/time.ts';

/** A utility template as the API shows it: Meta's review status, and Meta's reason when it was rejected. */
export function presentTemplate(row: MessageTemplateTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    language: row.language,
    category: row.category,
    components: JSON.parse(row.components) as Record<string, unknown>[],
    status: row.status,
    rejection_reason: row.rejection_reason,
    meta_id: row.meta_id,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type TemplateView = ReturnType<typeof presentTemplate>;
