import type { TableClassification } from '../classification.ts';

/** The types an attribute can hold; `list` is a JSON array of strings. */
export type AttributeType = 'text' | 'number' | 'date' | 'boolean' | 'list';

/** A Page's attribute: its key, its type, and whether its values are personal (then sealed like a name). */
export interface AttributeDefinitionTable {
  id: string;
  page_id: string;
  /** Unique per Page: lowercase letters, digits and `_`, starting with a letter. */
  key: string;
  type: AttributeType;
  /** 1: values are sealed (`value_enc`) and compared for equality through `value_bidx` only. */
  personal: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A tag on a contact. The business's word about a person, kept in the clear so that segments can use an index. */
export interface ContactTagTable {
  contact_id: string;
  page_id: string;
  tag: string;
  created_by: string | null;
  created_at: number;
}

/**
 * One attribute value of one contact. A non-personal value sits in `value_text` (text; list as a JSON array) or
 * `value_num` (number; date as epoch ms; boolean as 0/1) so that ranges and sorting work in SQL. A personal value is
 * sealed in `value_enc`, with `value_bidx` (blind index of the normalised value) for equality.
 */
export interface ContactAttributeTable {
  /** The row id bound into `value_enc` (one row per contact and key). */
  id: string;
  contact_id: string;
  page_id: string;
  key: string;
  value_text: string | null;
  value_num: number | null;
  value_enc: string | null;
  value_bidx: string | null;
  updated_by: string | null;
  updated_at: number;
}

/** A product of a Page's catalogue, upserted by sku. */
export interface ProductTable {
  id: string;
  page_id: string;
  sku: string;
  name: string;
  category: string | null;
  price: number;
  currency: string;
  url: string | null;
  image_url: string | null;
  /** 1 while the product is on sale (in stock, listed), 0 when not (migration 0029); recommendations skip it. */
  active: number;
  created_at: number;
  updated_at: number;
}

/** An order from the shop, idempotent by (page, external id); joined to a contact directly, by an agent, or when
 * the person follows the m.me link whose `ref` the shop put on its order page. */
export interface OrderTable {
  id: string;
  page_id: string;
  external_id: string;
  contact_id: string | null;
  /** Blind index of the m.me `ref` that joins this order to whoever follows it; cleared once joined. */
  link_ref_bidx: string | null;
  /** Blind indexes of the buyer's normalised email and last name, for the order-status check (never stored in
   * the clear, never listed). */
  email_bidx: string | null;
  last_name_bidx: string | null;
  status: string;
  currency: string;
  total: number;
  item_count: number;
  /** When the shop says the order was placed (epoch ms). */
  ordered_at: number;
  linked_at: number | null;
  linked_by: string | null;
  /** A tag set on the contact when the order joins it through its `ref` (migration 0021). */
  link_tag: string | null;
  created_at: number;
  updated_at: number;
}

/** A line of an order; `contact_id` follows the order's, so that segments on sku and category need no join. */
export interface OrderItemTable {
  order_id: string;
  line_no: number;
  page_id: string;
  contact_id: string | null;
  sku: string;
  /** The product's category when the order was stored (null when the sku is not in the catalogue). */
  category: string | null;
  quantity: number;
  price: number;
}

/** What a person showed interest in, derived (categories bought, payloads clicked, referral refs), with a weight. */
export interface ContactInterestTable {
  contact_id: string;
  page_id: string;
  /** `category:<name>`, `payload:<payload>`, `ref:<ref>`. */
  interest: string;
  weight: number;
  first_at: number;
  last_at: number;
}

/** A saved segment: a filter in the contract's language, stored as JSON. */
export interface SegmentTable {
  id: string;
  page_id: string;
  name: string;
  filter: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface AudienceTables {
  attribute_definitions: AttributeDefinitionTable;
  contact_tags: ContactTagTable;
  contact_attributes: ContactAttributeTable;
  products: ProductTable;
  orders: OrderTable;
  order_items: OrderItemTable;
  contact_interests: ContactInterestTable;
  segments: SegmentTable;
}

export const AUDIENCE_CLASSIFICATION: Record<keyof AudienceTables, TableClassification> = {
  attribute_definitions: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      key: 'system',
      type: 'system',
      personal: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  contact_tags: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      contact_id: 'reference',
      page_id: 'reference',
      tag: 'personal',
      created_by: 'reference',
      created_at: 'personal',
    },
  },
  contact_attributes: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      contact_id: 'reference',
      page_id: 'reference',
      // What the value says about the person ("diagnosis", "tier"): exported with it.
      key: 'personal',
      value_text: 'personal',
      value_num: 'personal',
      value_enc: 'encrypted',
      value_bidx: 'blind_index',
      updated_by: 'reference',
      updated_at: 'personal',
    },
  },
  products: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      sku: 'system',
      name: 'system',
      category: 'system',
      price: 'system',
      currency: 'system',
      url: 'system',
      image_url: 'system',
      active: 'system',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  orders: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      id: 'reference',
      page_id: 'reference',
      external_id: 'personal',
      contact_id: 'reference',
      link_ref_bidx: 'blind_index',
      email_bidx: 'blind_index',
      last_name_bidx: 'blind_index',
      status: 'personal',
      currency: 'personal',
      total: 'personal',
      item_count: 'personal',
      ordered_at: 'personal',
      linked_at: 'personal',
      linked_by: 'reference',
      link_tag: 'system',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  order_items: {
    idColumn: 'order_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      order_id: 'reference',
      line_no: 'system',
      page_id: 'reference',
      contact_id: 'reference',
      sku: 'personal',
      category: 'personal',
      quantity: 'personal',
      price: 'personal',
    },
  },
  contact_interests: {
    idColumn: 'contact_id',
    pageColumn: 'page_id',
    contactColumn: 'contact_id',
    columns: {
      contact_id: 'reference',
      page_id: 'reference',
      interest: 'personal',
      weight: 'personal',
      first_at: 'personal',
      last_at: 'personal',
    },
  },
  segments: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      filter: 'system',
      created_by: 'reference',
      created_at: 'system',
      updated_at: 'system',
    },
  },
};
