import type { Keyring } from '../../src/crypto/keyring.ts';
import type { Executor } from '../../src/db/types.ts';
import type { AttributeType } from '../../src/db/tables/audience.ts';
import type { ContactTable } from '../../src/db/tables/conversations.ts';
import { newId } from '../../src/lib/ids.ts';
import { newContactRow } from '../../src/modules/contacts/contact-row.ts';
import { attributeBlindIndex } from '../../src/modules/attributes/attribute-index.ts';

// Audience rows written straight into the tables (the modules that fill them are built elsewhere), described by a
// plain model that the reference evaluator reads: the test's independent account of who is who.

export interface WorldAttributeDef {
  key: string;
  type: AttributeType;
  personal: boolean;
}

export interface WorldOrder {
  total: number;
  orderedAt: number;
  items: { sku: string; category: string | null }[];
}

export interface WorldContact {
  id: string;
  locale: string | null;
  timezone: number | null;
  status: ContactTable['status'];
  consentMarketing: ContactTable['consent_marketing'];
  lastUserActionAt: number | null;
  createdAt: number;
  mergedInto: string | null;
  tags: string[];
  /** By key: a string (text, list as JSON, personal), a number (number, date, boolean as 0/1). */
  attributes: Record<string, string | number>;
  orders: WorldOrder[];
  interests: string[];
}

export type ContactSketch = Partial<Omit<WorldContact, 'id'>>;

let seq = 0;

/** A contact with defaults (active, en_US, no consent, created `now`) and whatever the sketch says. */
export function worldContact(now: number, sketch: ContactSketch = {}): WorldContact {
  seq += 1;
  return {
    id: `${newId('ct', now)}${String(seq).padStart(6, '0')}`,
    locale: 'en_US',
    timezone: 0,
    status: 'active',
    consentMarketing: 'none',
    lastUserActionAt: null,
    createdAt: now,
    mergedInto: null,
    tags: [],
    attributes: {},
    orders: [],
    interests: [],
    ...sketch,
  };
}

/** Defines the Page's attributes that it does not have yet. */
export async function defineAttributes(
  db: Executor,
  pageId: string,
  defs: readonly WorldAttributeDef[],
  now: number,
): Promise<void> {
  const defined = await db.selectFrom('attribute_definitions').select('key').where('page_id', '=', pageId).execute();
  const known = new Set(defined.map((d) => d.key));
  const newDefs = defs.filter((d) => !known.has(d.key));
  if (newDefs.length > 0)
    await db
      .insertInto('attribute_definitions')
      .values(
        newDefs.map((d) => ({
          id: newId('ad', now),
          page_id: pageId,
          key: d.key,
          type: d.type,
          personal: d.personal ? 1 : 0,
          created_by: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
}

/** Inserts the attribute definitions and the contacts with their tags, attributes, orders and interests. */
export async function insertAudience(
  db: Executor,
  keyring: Keyring,
  pageId: string,
  defs: readonly WorldAttributeDef[],
  contacts: readonly WorldContact[],
  now: number,
): Promise<void> {
  await defineAttributes(db, pageId, defs, now);
  for (const c of contacts) {
    await db
      .insertInto('contacts')
      .values({
        ...newContactRow({
          id: c.id,
          pageId,
          psidBidx: `bidx-${c.id}`,
          psidEnc: `enc-${c.id}`,
          at: c.createdAt,
          now,
        }),
        locale: c.locale,
        timezone: c.timezone,
        status: c.status,
        consent_marketing: c.consentMarketing,
        last_user_action_at: c.lastUserActionAt,
        merged_into: c.mergedInto,
        profile_next_at: null,
      })
      .execute();
    await insertContactAudience(db, keyring, pageId, defs, c, now);
  }
}

/**
 * Gives an existing contact the model's tags, attributes, orders and interests (its other fields are the contact
 * row's own): for contacts that arrived by webhook.
 */
export async function insertContactAudience(
  db: Executor,
  keyring: Keyring,
  pageId: string,
  defs: readonly WorldAttributeDef[],
  c: Pick<WorldContact, 'id' | 'tags' | 'attributes' | 'orders' | 'interests'>,
  now: number,
): Promise<void> {
  const typeOf = new Map(defs.map((d) => [d.key, d]));
  if (c.tags.length > 0)
    await db
      .insertInto('contact_tags')
      .values(c.tags.map((tag) => ({ contact_id: c.id, page_id: pageId, tag, created_by: null, created_at: now })))
      .execute();
  for (const [key, value] of Object.entries(c.attributes)) {
    const def = typeOf.get(key);
    if (!def) throw new Error(`insertAudience: no definition for ${key}`);
    const textual = def.type === 'text' || def.type === 'list';
    const id = newId('ca', now);
    // Sealed as the attributes module seals (the keyring layer; the contact layer opens such values too), so the
    // contacts a preview shows can be presented.
    const field = { table: 'contact_attributes', column: 'value_enc', pageId, rowId: id };
    await db
      .insertInto('contact_attributes')
      .values({
        id,
        contact_id: c.id,
        page_id: pageId,
        key,
        value_text: !def.personal && textual ? String(value) : null,
        value_num: !def.personal && !textual ? Number(value) : null,
        value_enc: def.personal ? keyring.encrypt(String(value).trim(), field) : null,
        value_bidx: def.personal ? attributeBlindIndex(keyring, key, String(value)) : null,
        updated_by: null,
        updated_at: now,
      })
      .execute();
  }
  for (const [i, o] of c.orders.entries()) {
    const orderId = `${c.id}-o${i}`;
    await db
      .insertInto('orders')
      .values({
        id: orderId,
        page_id: pageId,
        external_id: orderId,
        contact_id: c.id,
        link_ref_bidx: null,
        email_bidx: null,
        last_name_bidx: null,
        status: 'paid',
        currency: 'EUR',
        total: o.total,
        item_count: o.items.length,
        ordered_at: o.orderedAt,
        linked_at: null,
        linked_by: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    if (o.items.length > 0)
      await db
        .insertInto('order_items')
        .values(
          o.items.map((it, line) => ({
            order_id: orderId,
            line_no: line,
            page_id: pageId,
            contact_id: c.id,
            sku: it.sku,
            category: it.category,
            quantity: 1,
            price: 1,
          })),
        )
        .execute();
  }
  if (c.interests.length > 0)
    await db
      .insertInto('contact_interests')
      .values(
        c.interests.map((interest) => ({
          contact_id: c.id,
          page_id: pageId,
          interest,
          weight: 1,
          first_at: now,
          last_at: now,
        })),
      )
      .execute();
}

/** An order of another person not yet joined to a contact: segments must not trip over its null contact. */
export async function insertUnlinkedOrder(db: Executor, pageId: string, now: number): Promise<void> {
  const id = newId('or', now);
  await db
    .insertInto('orders')
    .values({
      id,
      page_id: pageId,
      external_id: id,
      contact_id: null,
      link_ref_bidx: 'ref',
      email_bidx: null,
      last_name_bidx: null,
      status: 'paid',
      currency: 'EUR',
      total: 5,
      item_count: 1,
      ordered_at: now,
      linked_at: null,
      linked_by: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('order_items')
    .values({
      order_id: id,
      line_no: 0,
      page_id: pageId,
      contact_id: null,
      sku: 'sku-1',
      category: 'shoes',
      quantity: 1,
      price: 5,
    })
    .execute();
}
