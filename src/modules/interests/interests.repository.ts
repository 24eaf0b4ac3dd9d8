import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import type { ContactInterestTable } from '../../db/tables/audience.ts';

export interface InterestSignal {
  contactId: string;
  pageId: string;
  interest: string;
  weight: number;
  at: number;
}

/**
 * Adds to a contact's interests in one statement (insert … on conflict do update, on both dialects): the weight
 * grows, `last_at` only moves forward and `first_at` only backward, so signals applied in any order agree.
 */
export async function addInterests(db: Executor, signals: readonly InterestSignal[]): Promise<void> {
  const merged = new Map<string, ContactInterestTable>();
  for (const s of signals) {
    const key = `${s.contactId}\u0000${s.interest}`;
    const prev = merged.get(key);
    merged.set(key, {
      contact_id: s.contactId,
      page_id: s.pageId,
      interest: s.interest,
      weight: (prev?.weight ?? 0) + s.weight,
      first_at: Math.min(prev?.first_at ?? s.at, s.at),
      last_at: Math.max(prev?.last_at ?? s.at, s.at),
    });
  }
  if (merged.size === 0) return;
  await db
    .insertInto('contact_interests')
    .values([...merged.values()])
    .onConflict((oc) =>
      oc.columns(['contact_id', 'interest']).doUpdateSet({
        weight: sql`contact_interests.weight + excluded.weight`,
        first_at: sql`case when excluded.first_at < contact_interests.first_at then excluded.first_at else contact_interests.first_at end`,
        last_at: sql`case when excluded.last_at > contact_interests.last_at then excluded.last_at else contact_interests.last_at end`,
      }),
    )
    .execute();
}

/** A contact's strongest interests first (then the most recent). */
export async function topInterests(db: Executor, contactId: string, limit: number): Promise<ContactInterestTable[]> {
  return db
    .selectFrom('contact_interests')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('weight', 'desc')
    .orderBy('last_at', 'desc')
    .orderBy('interest')
    .limit(limit)
    .execute();
}
