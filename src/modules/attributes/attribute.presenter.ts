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
