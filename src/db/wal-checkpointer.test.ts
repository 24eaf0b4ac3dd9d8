import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from './database.ts';
import { BACKSTOP_PAGES, startWalCheckpointer } from './wal-checkpointer.ts';

/** Rows of about 2 KiB each: `count` of them fill about count/2 WAL pages. */
function writeRows(db: SqliteDatabase.Database, from: number, count: number): void {
  const insert = db.prepare('insert into t (id, pad) values (?, ?)');
  db.transaction(() => {
    for (let i = from; i < from + count; i++) insert.run(i, 'x'.repeat(2000));
  })();
}

test('the checkpointer thread copies committed WAL frames into the database file while the writer goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-wal-'));
  try {
    const file = join(dir, 'db.sqlite');
    const writer = new SqliteDatabase(file);
    writer.pragma('journal_mode = WAL');
    // The writer never checkpoints on its own here: whatever reaches the database file was copied by the thread.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table t (id integer primary key, pad text not null)');
    const checkpointer = startWalCheckpointer(file);
    try {
      for (let batch = 0; batch < 5; batch++) writeRows(writer, batch * 400, 400);
      await checkpointer.caughtUp();
      const copy = join(dir, 'copy.sqlite');
      copyFileSync(file, copy); // the database file alone, without its WAL
      const alone = new SqliteDatabase(copy, { readonly: true });
      try {
        assert.deepEqual(alone.prepare('select count(*) as n from t').get(), { n: 2000 });
      } finally {
        alone.close();
      }
    } finally {
      await checkpointer.close();
      writer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the thread nothing reaches the database file until a checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-wal-'));
  try {
    const file = join(dir, 'db.sqlite');
    const writer = new SqliteDatabase(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table t (id integer primary key, pad text not null)');
    writer.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(file).size;
    writeRows(writer, 0, 2000);
    assert.equal(statSync(file).size, before, 'the rows are in the WAL only');
    writer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database whose checkpoints run in the thread leaves its own commits only a backstop far past 1,000 WAL pages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-wal-'));
  try {
    const thread = await openDatabase({ dataDir: dir, databaseUrl: null, walCheckpoints: 'thread' });
    const inline = await openDatabase({ dataDir: dir, databaseUrl: null, fileName: 'inline.db' });
    try {
      const pages = async (d: typeof thread) =>
        (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(d.db)).rows[0]!
          .wal_autocheckpoint;
      assert.equal(await pages(thread), BACKSTOP_PAGES);
      assert.equal(await pages(inline), 1000, "SQLite's default where the database checkpoints inline");
    } finally {
      await thread.close();
      await inline.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
