import type { GraphClient, UserProfile } from '../../src/platform/graph-client.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { recordConsent } from '../../src/modules/consent/ledger.ts';
import { findContactByBidx } from '../../src/modules/contacts/contacts.repository.ts';
import { psidIndex } from '../../src/modules/contacts/contact-columns.ts';
import type { InboxServer } from './support.ts';

export const OWNER = { email: 'olivia@example.com', password: 'owner horse battery staple' };

/**
 * Gives the people who wrote their Messenger profiles, as Meta's User Profile API would (this machine reaches no
 * Meta): the profile pass stores the names encrypted, with the search tokens the contacts list finds them by.
 */
export async function giveProfiles(server: InboxServer, profiles: Record<string, UserProfile>): Promise<void> {
  const graph = {
    getUserProfile: async (_token: string, psid: string) => {
      const p = profiles[psid];
      if (!p) throw new Error(`no profile for this PSID`);
      return p;
    },
  } as unknown as GraphClient;
  await enrichProfiles(server.app.ctx, { graph, limit: 100 });
}

/** The contact's id, found by its PSID's blind index (a test's own look-up: no identifier read is audited). */
export async function contactIdOf(server: InboxServer, pageId: string, psid: string): Promise<string> {
  const { ctx } = server.app;
  const row = await findContactByBidx(ctx.db, pageId, psidIndex(ctx.keyring, psid));
  if (!row) throw new Error('no such contact');
  return row.id;
}

/** The person opts in to marketing messages (Messenger's opt-in), recorded in the consent ledger. */
export async function optIn(server: InboxServer, pageId: string, contactId: string): Promise<void> {
  const { ctx } = server.app;
  await ctx.db.transaction().execute((trx) =>
    recordConsent(trx, ctx, {
      contactId,
      pageId,
      purpose: 'marketing',
      action: 'grant',
      source: 'marketing_optin',
      actor: 'contact',
      occurredAt: ctx.clock.now(),
    }),
  );
}
