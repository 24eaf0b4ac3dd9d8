import type { AppContext } from '../../kernel/context.ts';
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import type { Executor } from '../../db/types.ts';
import { notFound } from '../../errors.ts';
import { assertCan, pageScopeOf, type Actor } from '../access/actor.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { addInterests, topInterests } from './interests.repository.ts';
import { interestOf, interestsOfEvent } from './interests.policy.ts';
import { presentInterest, type InterestView } from './interest.presenter.ts';

export const INTERESTS_HOOK_NAME = 'interests';
export const MAX_INTERESTS_SHOWN = 100;

/**
 * Registers the hook that derives interests from inbound events (payloads clicked, refs followed). It runs in the
 * processing transaction, which never runs hooks for a redelivered event: each click counts once.
 */
export function registerInterestsHook(hooks: InboundHooks): void {
  hooks.register(INTERESTS_HOOK_NAME, recordEventInterests, { standby: true });
}

export async function recordEventInterests(e: InboundEventContext): Promise<void> {
  const at = e.event.timestamp ?? e.ctx.clock.now();
  await addInterests(
    e.trx,
    interestsOfEvent(e.event).map((interest) => ({
      contactId: e.contact.id,
      pageId: e.contact.page_id,
      interest,
      weight: 1,
      at,
    })),
  );
}

/**
 * The categories of an order the contact now owns: each category counts once per order (however many lines or
 * pieces), at the time the shop says the order was placed.
 */
export async function recordOrderInterests(
  db: Executor,
  o: { contactId: string; pageId: string; orderedAt: number; categories: readonly (string | null)[] },
): Promise<void> {
  const interests = [...new Set(o.categories.flatMap((c) => (c === null ? [] : [interestOf('category', c)])))];
  await addInterests(
    db,
    interests.flatMap((interest) =>
      interest === null ? [] : [{ contactId: o.contactId, pageId: o.pageId, interest, weight: 1, at: o.orderedAt }],
    ),
  );
}

/** A contact's interests, strongest first, for anyone who may read its Page's contacts; another Page's is a 404. */
export async function listContactInterests(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  limit = MAX_INTERESTS_SHOWN,
): Promise<InterestView[]> {
  assertCan(actor, 'contacts:read');
  const contact = await findContactById(ctx.db, contactId, pageScopeOf(actor));
  if (!contact) throw notFound('contact');
  return (await topInterests(ctx.db, contact.id, Math.min(limit, MAX_INTERESTS_SHOWN))).map(presentInterest);
}
