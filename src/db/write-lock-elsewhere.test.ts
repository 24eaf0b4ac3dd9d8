// Writers of two processes on one SQLite file: each `openDatabase` has memory of its own for its waiting writers, as
// two processes do, so two databases opened on the same file here stand for a server and a CLI command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { openDatabase } from './database.ts';
import { openTestDatabase } from '../../test/support/db.ts';

type Db = Awaited<ReturnType<typeof openTestDatabase>>['db'];
const insert = (db: Db, key: string) =>
  db.insertInto('webhook_body_hashes').values({ body_hash: key, post_id: 'wp_x', created_at: 1 }).execute();

/**
 * A processor's long turn on the server's database: it writes until someone waits (or for at most 20,000 writes),
 * and at its tenth write the other process (`cli`) starts `write`. Checks that the turn ended for that writer, which
 * then wrote its row last, and left no note behind.
 */
async function turnLetsIn(write: (cli: Db) => Promise<unknown>): Promise<void> {
  const server = await openTestDatabase('sqlite');
  const cli = await openDatabase({ dataDir: server.dataDir, databaseUrl: null });
  try {
    let writes = 0;
    let ended: 'for the other writer' | 'at its limit' | undefined;
    let cliWrite: Promise<unknown> | undefined;
    const { durable } = await server.transactionFlushedLater(async (trx) => {
      for (; writes < 20_000; writes++) {
        await insert(trx, `turn-${writes}`);
        if (writes === 10) cliWrite = write(cli.db);
        if (server.lockWaiters!.waitingElsewhere()) return void (ended = 'for the other writer');
      }
      ended = 'at its limit';
    });
    await durable;
    assert.equal(ended, 'for the other writer');
    await cliWrite;
    const rows = await server.db
      .selectFrom('webhook_body_hashes')
      .select('body_hash')
      .orderBy('rowid' as never)
      .execute();
    assert.equal(rows.at(-1)!.body_hash, 'cli', 'the other process wrote once the turn was over');
    assert.equal(rows.length, writes + 2);
    assert.deepEqual(readdirSync(`${server.file!}-waiting`), [], 'its note is gone once it had the lock');
  } finally {
    await cli.close();
    await server.destroy();
  }
}

test('a writer of another process is let in by a long transaction, which ends when it sees the note left', () =>
  turnLetsIn((cli) => cli.transaction().execute((t) => insert(t, 'cli'))));

// An audit row, say: one statement, no transaction. In SQLite's busy handler it would hold this thread (and so the
// turn it waits for) until its busy timeout, then fail.
test('a write of another process outside any transaction is let in the same way, its event loop free meanwhile', () =>
  turnLetsIn((cli) => insert(cli, 'cli')));

test('a writer that finds the lock free leaves no note', async () => {
  const server = await openTestDatabase('sqlite');
  try {
    await server.db
      .transaction()
      .execute((trx) =>
        trx.insertInto('webhook_body_hashes').values({ body_hash: 'k', post_id: 'wp_x', created_at: 1 }).execute(),
      );
    assert.equal(existsSync(`${server.file!}-waiting`), false);
  } finally {
    await server.destroy();
  }
});
