// The audience benchmark's data: N contacts on one Page, with tags (a tenth are "vip"), a number attribute `points`
// (0–999) and orders over the last two years (half the contacts have one, a tenth two), written in bulk in big
// transactions. Deterministic: the same N gives the same audience, so the figures of two runs compare.
import type { AppContext } from '../src/kernel/context.ts';
import type { ContactTable } from '../src/db/tables/conversations.ts';
import type { ContactAttributeTable, ContactTagTable, OrderTable } from '../src/db/tables/audience.ts';
import { newContactRow } from '../src/modules/contacts/contact-row.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { registerPage } from '../src/modules/pages/register-page.ts';
import { seededRandom } from '../test/support/random.ts';

export const PAGE = '1717527131834679';
const TAGS = ['vip', 'newsletter', 'b2b', 'wholesale', 'returning', 'churn risk', 'sale hunter', 'gift buyer'];
const DAY = 86_400_000;
// Rows per INSERT: under SQLite's 32,766 bound parameters for the widest table (contacts, 33 columns).
const ROWS_PER_INSERT = 900;
const CONTACTS_PER_TRANSACTION = 50_000;

async function inChunks<T>(rows: T[], insert: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await insert(rows.slice(i, i + ROWS_PER_INSERT));
}

/** Seeds the Page, its `points` attribute and N contacts with their tags, points and orders. */
export async function seedAudience(ctx: AppContext, n: number): Promise<void> {
  await registerPage(ctx, cliActor, { id: PAGE, name: 'Bench shop', access_token: 'EAAG-bench' });
  const now = ctx.clock.now();
  const random = seededRandom(n);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  await ctx.db
    .insertInto('attribute_definitions')
    .values({
      id: 'ad_bench_points',
      page_id: PAGE,
      key: 'points',
      type: 'number',
      personal: 0,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (let b = 0; b < n; b += CONTACTS_PER_TRANSACTION) {
    const contacts: ContactTable[] = [];
    const tags: ContactTagTable[] = [];
    const attributes: ContactAttributeTable[] = [];
    const orders: OrderTable[] = [];
    for (let i = b; i < Math.min(n, b + CONTACTS_PER_TRANSACTION); i++) {
      const at = now - 730 * DAY + Math.floor((i / n) * 730 * DAY);
      const id = `ct_bench${String(i).padStart(10, '0')}`;
      // The segment reads neither the PSID nor the name: placeholders stand in for their ciphertexts, so that the
      // seed takes seconds, not the hour a million encryptions would.
      contacts.push({
        ...newContactRow({ id, pageId: PAGE, psidBidx: `bidx-${i}`, psidEnc: `psid-${i}`, at, now }),
        locale: pick(['en_US', 'fr_FR', 'de_DE', 'es_ES']),
        timezone: pick([-5, 0, 1, 2]),
        last_user_action_at: at + Math.floor(random() * (now - at)),
        profile_next_at: null,
      });
      const chosen = new Set<string>();
      if (random() < 0.1) chosen.add('vip');
      if (random() < 0.6) chosen.add(pick(TAGS.slice(1)));
      for (const tag of chosen) tags.push({ contact_id: id, page_id: PAGE, tag, created_by: null, created_at: at });
      attributes.push({
        id: `ca_bench${i}`,
        contact_id: id,
        page_id: PAGE,
        key: 'points',
        value_text: null,
        value_num: Math.floor(random() * 1000),
        value_enc: null,
        value_bidx: null,
        updated_by: null,
        updated_at: at,
      });
      const orderCount = random() < 0.5 ? (random() < 0.2 ? 2 : 1) : 0;
      for (let k = 0; k < orderCount; k++) {
        const orderedAt = now - Math.floor(random() * 730 * DAY);
        orders.push({
          id: `or_bench${i}_${k}`,
          page_id: PAGE,
          external_id: `ext-${i}-${k}`,
          contact_id: id,
          link_ref_bidx: null,
          email_bidx: null,
          last_name_bidx: null,
          link_tag: null,
          status: 'paid',
          currency: 'EUR',
          total: 10 + Math.floor(random() * 200),
          item_count: 1,
          ordered_at: orderedAt,
          linked_at: orderedAt,
          linked_by: null,
          created_at: orderedAt,
          updated_at: orderedAt,
        });
      }
    }
    await ctx.db.transaction().execute(async (trx) => {
      await inChunks(contacts, (part) => trx.insertInto('contacts').values(part).execute());
      await inChunks(tags, (part) => trx.insertInto('contact_tags').values(part).execute());
      await inChunks(attributes, (part) => trx.insertInto('contact_attributes').values(part).execute());
      await inChunks(orders, (part) => trx.insertInto('orders').values(part).execute());
    });
  }
}
