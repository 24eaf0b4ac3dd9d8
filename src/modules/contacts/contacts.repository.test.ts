import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../../test/support/db.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { findContactById, touchByUserAction, updateContact } from './contacts.repository.ts';
import { newContactRow } from './contact-row.ts';

const T = 1_764_000_000_000;

forEachDialect('a user action on a contact', (database) => {
  let n = 0;
  /** A stored contact first seen at T, with `set` applied. */
  const stored = async (set: Partial<ContactTable> = {}): Promise<ContactTable> => {
    const { db } = database();
    const id = `ct_touch_${++n}_${Date.now()}`;
    const row = { ...newContactRow({ id, pageId: 'p1', psidBidx: `b_${id}`, psidEnc: 'v1.x', at: T, now: T }), ...set };
    await db.insertInto('contacts').values(row).execute();
    return (await findContactById(db, id, null))!;
  };

  test('moves the times forward, revives an unreachable contact, forgets an invalid PSID, and returns what it stored', async () => {
    const { db } = database();
    const c = await stored({
      status: 'unreachable',
      status_reason: 'blocked',
      status_at: T + 10,
      psid_invalid_at: T + 20,
    });
    await db.transaction().execute(async (trx) => {
      const touched = await touchByUserAction(trx, c, T + 100, T + 200, { inbound: true });
      assert.deepEqual(touched, await findContactById(trx, c.id, null));
      assert.deepEqual(
        [touched?.status, touched?.status_reason, touched?.status_at, touched?.psid_invalid_at],
        ['active', 'wrote_again', T + 100, null],
      );
      assert.deepEqual(
        [touched?.last_seen_at, touched?.last_user_action_at, touched?.last_inbound_at],
        [T + 100, T + 100, T + 100],
      );
      assert.equal(touched?.updated_at, T + 200);
    });
  });

  test('an older action moves no time back and only the first-seen time earlier; a later unreachable mark stays', async () => {
    const { db } = database();
    const c = await stored({
      status: 'unreachable',
      status_reason: 'blocked',
      status_at: T + 50,
      last_user_action_at: T + 40,
      last_seen_at: T + 40,
    });
    await db.transaction().execute(async (trx) => {
      const touched = await touchByUserAction(trx, c, T - 5, T + 200);
      assert.deepEqual(touched, await findContactById(trx, c.id, null));
      assert.deepEqual(
        [
          touched?.status,
          touched?.last_seen_at,
          touched?.last_user_action_at,
          touched?.last_inbound_at,
          touched?.created_at,
        ],
        ['unreachable', T + 40, T + 40, null, T - 5],
      );
    });
  });

  test('given a contact read before another write changed it, returns what is stored, not what it was given', async () => {
    const { db } = database();
    const c = await stored();
    await db.transaction().execute(async (trx) => {
      await updateContact(trx, c.id, {
        status: 'unreachable',
        status_reason: 'blocked',
        status_at: T + 500,
        last_seen_at: T + 900,
      });
      const touched = await touchByUserAction(trx, c, T + 100, T + 200);
      assert.deepEqual(touched, await findContactById(trx, c.id, null));
      assert.deepEqual([touched?.status, touched?.status_at, touched?.last_seen_at], ['unreachable', T + 500, T + 900]);
    });
  });

  test('a contact that is gone gives undefined', async () => {
    const { db } = database();
    const c = await stored();
    await db.deleteFrom('contacts').where('id', '=', c.id).execute();
    await db.transaction().execute(async (trx) => {
      assert.equal(await touchByUserAction(trx, c, T + 100, T + 200), undefined);
    });
  });
});
