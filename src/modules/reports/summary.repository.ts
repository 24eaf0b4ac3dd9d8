import type { Executor } from '../../db/types.ts';

export interface ActivitySummary {
  contacts_by_page: Record<string, number>;
  messages: { inbound: number; outbound: number };
  deliveries: Record<string, number>;
  opted_out: number;
  unreachable: number;
  refused_by_reason: Record<string, number>;
  /** Pages whose access token Meta rejected (190): their sends wait until a new token is added. */
  pages_token_invalid: string[];
}

/** Counts for the operator's live view: a handful of grouped counts over indexed columns, no personal data. */
export async function activitySummary(db: Executor): Promise<ActivitySummary> {
  const [contacts, messages, deliveries, optedOut, unreachable, refused, tokenInvalid] = await Promise.all([
    db
      .selectFrom('contacts')
      .select(['page_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '!=', 'erased')
      .where('merged_into', 'is', null)
      .groupBy('page_id')
      .execute(),
    db
      .selectFrom('messages')
      .select(['direction', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('direction')
      .execute(),
    db
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consent_replies', '=', 'withdrawn')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'unreachable')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('deliveries')
      .select([(eb) => eb.fn.coalesce('reason', 'error_code').as('reason'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['skipped', 'failed'])
      .groupBy(['reason', 'error_code'])
      .execute(),
    db.selectFrom('pages').select('id').where('status', '=', 'token_invalid').orderBy('id').execute(),
  ]);
  const refusedByReason: Record<string, number> = {};
  for (const r of refused) {
    const key = String(r.reason ?? 'unknown');
    refusedByReason[key] = (refusedByReason[key] ?? 0) + Number(r.n);
  }
  return {
    contacts_by_page: Object.fromEntries(contacts.map((r) => [r.page_id, Number(r.n)])),
    messages: {
      inbound: Number(messages.find((m) => m.direction === 'inbound')?.n ?? 0),
      outbound: Number(messages.find((m) => m.direction === 'outbound')?.n ?? 0),
    },
    deliveries: Object.fromEntries(deliveries.map((r) => [r.status, Number(r.n)])),
    opted_out: Number(optedOut.n),
    unreachable: Number(unreachable.n),
    refused_by_reason: refusedByReason,
    pages_token_invalid: tokenInvalid.map((r) => r.id),
  };
}
