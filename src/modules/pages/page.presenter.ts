import type { PageTable } from '../../db/tables/foundation.ts';
import { toIso } from '../../lib/time.ts';

/** The public shape of a Page: never its access token. */
export function presentPage(row: PageTable) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    // Only the 190 that marks a Page token_invalid moves a token_invalid Page's updated_at (a new token makes it active).
    token_invalid_since: row.status === 'token_invalid' ? toIso(row.updated_at) : null,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type PageView = ReturnType<typeof presentPage>;
