import type { ContactInterestTable } from '../../db/tables/audience.ts';
import { toIso } from '../../lib/time.ts';

/** An interest as the API shows it: its label split into kind and value, its weight and when it was first and last seen. */
export function presentInterest(row: ContactInterestTable) {
  const colon = row.interest.indexOf(':');
  return {
    interest: row.interest,
    kind: colon > 0 ? row.interest.slice(0, colon) : 'other',
    value: colon > 0 ? row.interest.slice(colon + 1) : row.interest,
    weight: Number(row.weight),
    first_at: toIso(Number(row.first_at)),
    last_at: toIso(Number(row.last_at)),
  };
}

export type InterestView = ReturnType<typeof presentInterest>;
