import type { CannedResponseTable } from '../../db/tables/canned-responses.ts';
import { toIso } from '../../lib/time.ts';

/** A canned response as the API shows it: the text as saved, its variables unfilled (the composer fills them). */
export function presentCannedResponse(row: CannedResponseTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    shortcut: row.shortcut,
    text: row.text,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type CannedResponseView = ReturnType<typeof presentCannedResponse>;
