import type { PageLabelTable } from '../../db/tables/settings.ts';
import { toIso } from '../../lib/time.ts';
import type { LabelColor } from './label-names.ts';

export function presentLabel(row: PageLabelTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    // Written only by the label commands, which accept the palette's colours alone.
    color: row.color as LabelColor,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type LabelView = ReturnType<typeof presentLabel>;
