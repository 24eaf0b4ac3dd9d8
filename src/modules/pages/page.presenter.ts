import type { PageTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';

/** The public shape of a Page: never its access token. */
export function presentPage(row: PageTable) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type PageView = ReturnType<typeof presentPage>;
