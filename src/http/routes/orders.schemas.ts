import { Type } from 'typebox';
import { DateTime, Nullable, NullableDateTime } from '../schema-types.ts';
import { MAX_CATEGORY, MAX_PRODUCT_NAME, MAX_URL } from '../../modules/orders/catalogue.ts';
import {
  CURRENCY_PATTERN,
  MAX_AMOUNT,
  MAX_EXTERNAL_ID,
  MAX_ITEMS,
  MAX_QUANTITY,
  MAX_SKU,
  MAX_STATUS,
  MAX_TAG,
} from '../../modules/orders/orders.policy.ts';
import { MAX_PROOF, MAX_REF } from '../../modules/orders/store-order.ts';

const Amount = (description: string) => Type.Number({ minimum: 0, maximum: MAX_AMOUNT, description });
const Currency = () => Type.String({ pattern: CURRENCY_PATTERN, description: 'ISO 4217, three uppercase letters' });
const Sku = () => Type.String({ minLength: 1, maxLength: MAX_SKU });
const ExternalId = () =>
  Type.String({ minLength: 1, maxLength: MAX_EXTERNAL_ID, description: "the shop's order number, unique per Page" });
const Proof = (description: string) => Type.String({ minLength: 1, maxLength: MAX_PROOF, description });

export const ProductBody = Type.Object(
  {
    sku: Sku(),
    name: Type.String({ minLength: 1, maxLength: MAX_PRODUCT_NAME }),
    category: Type.String({ minLength: 1, maxLength: MAX_CATEGORY }),
    price: Amount('the unit price'),
    currency: Currency(),
    url: Type.Optional(Nullable(Type.String({ maxLength: MAX_URL }))),
    image_url: Type.Optional(Nullable(Type.String({ maxLength: MAX_URL }))),
    active: Type.Optional(
      Type.Boolean({
        description: 'on sale (in stock, listed); default true. Recommendations offer active products only',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ProductSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  category: Nullable(Type.String()),
  price: Type.Number(),
  currency: Type.String(),
  url: Nullable(Type.String()),
  image_url: Nullable(Type.String()),
  active: Type.Boolean(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const OrderBody = Type.Object(
  {
    external_id: ExternalId(),
    contact_id: Type.Optional(Type.String({ minLength: 1, description: 'a contact of the Page; joins the order now' })),
    link_ref: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_REF,
        description:
          'the `ref` of the m.me link on the order page (https://m.me/<page>?ref=<link_ref>): the person who follows it gets the order',
      }),
    ),
    link_tag: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_TAG, description: 'a tag set on the contact the order joins' }),
    ),
    email: Type.Optional(Proof("the buyer's email, kept only as a blind index for the status check")),
    last_name: Type.Optional(Proof("the buyer's last name, kept only as a blind index for the status check")),
    status: Type.String({ minLength: 1, maxLength: MAX_STATUS, description: "the shop's word, stored lowercased" }),
    currency: Currency(),
    total: Amount('the order total'),
    items: Type.Array(
      Type.Object(
        {
          sku: Sku(),
          quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
          price: Amount('the unit price'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_ITEMS },
    ),
    created_at: DateTime({ description: 'when the order was placed' }),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  external_id: Type.String(),
  contact_id: Nullable(Type.String()),
  status: Type.String(),
  currency: Type.String(),
  total: Type.Number(),
  item_count: Type.Integer(),
  items: Type.Array(
    Type.Object({
      sku: Type.String(),
      name: Nullable(Type.String(), { description: "the catalogue's name for the sku, when it has one" }),
      category: Nullable(Type.String()),
      quantity: Type.Integer(),
      price: Type.Number(),
    }),
  ),
  awaiting_link: Type.Boolean({ description: 'no contact yet, and an m.me ref waits for the person who follows it' }),
  ordered_at: DateTime(),
  linked_at: NullableDateTime(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const StatusCheckBody = Type.Object(
  {
    external_id: ExternalId(),
    email: Type.Optional(Proof('compared trimmed and lowercased')),
    last_name: Type.Optional(Proof('compared trimmed and lowercased')),
  },
  { additionalProperties: false },
);

export const StatusCheckSchema = Type.Object({
  found: Type.Boolean(),
  status: Nullable(Type.String()),
  currency: Nullable(Type.String()),
  total: Nullable(Type.Number()),
  item_count: Nullable(Type.Integer()),
  ordered_at: NullableDateTime(),
  updated_at: NullableDateTime(),
});

export const InterestSchema = Type.Object({
  interest: Type.String({ description: '`category:<name>`, `payload:<payload>` or `ref:<ref>`' }),
  kind: Type.String(),
  value: Type.String(),
  weight: Type.Number(),
  first_at: DateTime(),
  last_at: DateTime(),
});
