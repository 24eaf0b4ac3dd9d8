import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../test/support/db.ts';
import { forgetInTransaction, readOncePerTransaction } from './transaction-memo.ts';

forEachDialect('reads remembered per transaction', (database, dialect) => {
  /** A read that counts how often it is made. */
  const counted = () => {
    const made = { n: 0 };
    return { made, read: async () => ++made.n };
  };

  test(
    dialect === 'sqlite'
      ? 'inside a SQLite transaction a key is read once, until its table is written'
      : 'inside a PostgreSQL transaction every read is made (another transaction may commit meanwhile)',
    async () => {
      const { db } = database();
      const rules = counted();
      const other = counted();
      await db.transaction().execute(async (trx) => {
        await readOncePerTransaction(trx, 'automation_rules:page_a', rules.read);
        await readOncePerTransaction(trx, 'automation_rules:page_a', rules.read);
        await readOncePerTransaction(trx, 'assistant_settings:page_a', other.read);
        forgetInTransaction(trx, 'automation_rules');
        await readOncePerTransaction(trx, 'automation_rules:page_a', rules.read);
        await readOncePerTransaction(trx, 'assistant_settings:page_a', other.read);
      });
      assert.deepEqual([rules.made.n, other.made.n], dialect === 'sqlite' ? [2, 1] : [3, 2]);
    },
  );

  test('the next transaction reads again, and outside a transaction every read is made', async () => {
    const { db } = database();
    const rules = counted();
    for (let i = 0; i < 2; i++)
      await db.transaction().execute(async (trx) => {
        await readOncePerTransaction(trx, 'automation_rules:page_a', rules.read);
      });
    await readOncePerTransaction(db, 'automation_rules:page_a', rules.read);
    await readOncePerTransaction(db, 'automation_rules:page_a', rules.read);
    assert.equal(rules.made.n, 4);
  });

  test('a read that failed is made again', async () => {
    const { db } = database();
    let calls = 0;
    const flaky = async () => {
      if (++calls === 1) throw new Error('first read fails');
      return 'rows';
    };
    await db.transaction().execute(async (trx) => {
      await assert.rejects(readOncePerTransaction(trx, 'automation_rules:page_a', flaky));
      assert.equal(await readOncePerTransaction(trx, 'automation_rules:page_a', flaky), 'rows');
    });
    assert.equal(calls, 2);
  });
});
