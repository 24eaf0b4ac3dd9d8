import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from '../../../test/support/db.ts';
import { up } from './0006-contact-identity.ts';

const link = (id: string, source: 'operator' | 'merge') => ({
  id,
  contact_id: 'ct_a',
  linked_contact_id: 'ct_b',
  source,
  created_at: 1,
  created_by: null,
});

forEachDialect('migration 0006 (contact identity)', (database) => {
  test('keeps the first of repeated links on a database that has them, then refuses a repeat', async () => {
    const { db } = database();
    // Back to the schema before 0006, with the repeats it allowed.
    await sql`drop index contact_links_pair`.execute(db);
    await sql`drop table account_link_codes`.execute(db);
    await sql`drop table contact_id_matching`.execute(db);
    await db
      .insertInto('contact_links')
      .values([link('cl_1', 'operator'), link('cl_2', 'operator'), link('cl_3', 'merge'), link('cl_4', 'operator')])
      .execute();

    await up(db);

    const rows = await db.selectFrom('contact_links').select(['id', 'source']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 'cl_1', source: 'operator' },
      { id: 'cl_3', source: 'merge' },
    ]);
    await assert.rejects(db.insertInto('contact_links').values(link('cl_5', 'operator')).execute());
  });
});
