import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// The audience: tags and typed attributes per contact, a Page's catalogue, orders and their lines, derived
// interests, and saved segments. Tags, attributes, order lines and interests carry the Page id beside the contact id,
// so that a segment is answered from indexes that start with the Page.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('attribute_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('personal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attribute_definitions_page_key')
    .on('attribute_definitions')
    .columns(['page_id', 'key'])
    .unique()
    .execute();

  await db.schema
    .createTable('contact_tags')
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
    .execute();
  await db.schema
    .createIndex('contact_tags_page_tag')
    .on('contact_tags')
    .columns(['page_id', 'tag', 'contact_id'])
    .execute();

  await db.schema
    .createTable('contact_attributes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value_text', 'text')
    .addColumn('value_num', 'double precision')
    .addColumn('value_enc', 'text')
    .addColumn('value_bidx', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contact_attributes_contact_key')
    .on('contact_attributes')
    .columns(['contact_id', 'key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('contact_attributes_page_key_num')
    .on('contact_attributes')
    .columns(['page_id', 'key', 'value_num', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('contact_attributes_page_key_text')
    .on('contact_attributes')
    .columns(['page_id', 'key', 'value_text', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('contact_attributes_page_key_bidx')
    .on('contact_attributes')
    .columns(['page_id', 'key', 'value_bidx', 'contact_id'])
    .execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('price', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('image_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_page_sku').on('products').columns(['page_id', 'sku']).unique().execute();
  await db.schema.createIndex('products_page_category').on('products').columns(['page_id', 'category']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('link_ref_bidx', 'text')
    .addColumn('email_bidx', 'text')
    .addColumn('last_name_bidx', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total', 'double precision', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('ordered_at', 'bigint', (c) => c.notNull())
    .addColumn('linked_at', 'bigint')
    .addColumn('linked_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('orders_page_external')
    .on('orders')
    .columns(['page_id', 'external_id'])
    .unique()
    .execute();
  await db.schema.createIndex('orders_contact_ordered').on('orders').columns(['contact_id', 'ordered_at']).execute();
  await db.schema
    .createIndex('orders_page_contact')
    .on('orders')
    .columns(['page_id', 'contact_id', 'ordered_at', 'total'])
    .execute();
  await db.schema.createIndex('orders_page_link_ref').on('orders').columns(['page_id', 'link_ref_bidx']).execute();

  await db.schema
    .createTable('order_items')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('price', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_items_pk', ['order_id', 'line_no'])
    .execute();
  await db.schema
    .createIndex('order_items_page_sku')
    .on('order_items')
    .columns(['page_id', 'sku', 'contact_id'])
    .execute();
  await db.schema
    .createIndex('order_items_page_category')
    .on('order_items')
    .columns(['page_id', 'category', 'contact_id'])
    .execute();
  await db.schema.createIndex('order_items_contact').on('order_items').columns(['contact_id']).execute();

  await db.schema
    .createTable('contact_interests')
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('interest', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_interests_pk', ['contact_id', 'interest'])
    .execute();
  await db.schema
    .createIndex('contact_interests_page_interest')
    .on('contact_interests')
    .columns(['page_id', 'interest', 'contact_id'])
    .execute();

  await db.schema
    .createTable('segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('segments_page_name').on('segments').columns(['page_id', 'name']).unique().execute();
}
