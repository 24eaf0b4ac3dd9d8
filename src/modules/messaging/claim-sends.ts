// Claiming sends: due deliveries taken with a lease, each with what its policy re-check needs (the contact and the
// Page), read in the claim's own transaction so that the re-check sees the state the claim was decided on.
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import type { PageTable } from '../../db/tables/foundation.ts';
import type { Dialect, Executor } from '../../db/types.ts';
import { claimPosts } from './outbox.repository.ts';
import { findPages, findSendTargets, type SendTarget } from './send-targets.repository.ts';

/** A claimed delivery with what its policy re-check needs. */
export interface ClaimedSend {
  delivery: DeliveryTable;
  /** Undefined when the contact is gone (erased). */
  target: SendTarget | undefined;
  /** Undefined when the Page is gone. */
  page: PageTable | undefined;
  /** Date.now() after which it goes back to the queue unsent rather than outlive its lease. */
  deadline: number;
}

export interface ClaimSendsOptions {
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** Only the next deliveries of these contacts (see ClaimOptions.contactIds). */
  contactIds?: readonly string[];
}

/**
 * Claims up to `limit` due deliveries for `owner` (one contact's in order: never one whose contact has an earlier
 * delivery queued or sending) and reads their contacts and Pages in the same transaction.
 */
export async function claimSends(trx: Executor, dialect: Dialect, o: ClaimSendsOptions): Promise<ClaimedSend[]> {
  const rows = await claimPosts(trx, dialect, o);
  if (rows.length === 0) return [];
  const contactIds = [...new Set(rows.map((d) => d.contact_id))];
  const pageIds = [...new Set(rows.map((d) => d.page_id))];
  const targets = new Map((await findSendTargets(trx, contactIds)).map((t) => [t.id, t]));
  const pages = new Map((await findPages(trx, pageIds)).map((p) => [p.id, p]));
  // Sends start within a third of the lease, so a send never outlives its claim (the Graph timeout is shorter).
  const deadline = Date.now() + o.leaseMs / 3;
  return rows.map((d) => ({ delivery: d, target: targets.get(d.contact_id), page: pages.get(d.page_id), deadline }));
}
