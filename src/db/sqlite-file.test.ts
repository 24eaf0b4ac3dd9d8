import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteFile, setSynchronous, SQLITE_BUSY_TIMEOUT_MS, tryWithoutWaiting } from './sqlite-file.ts';

/** The files this process holds open that SQLite made as temporary files (deleted at once, named etilqs_…). */
function openTemporaryFiles(): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.includes('etilqs_'));
}

test(
  'a statement that changes many rows inside a transaction writes no temporary file',
  { skip: process.platform !== 'linux' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sqlite-file-'));
    const db = openSqliteFile(join(dir, 'a.db'), { synchronous: 'FULL' });
    try {
      db.exec('create table words (token text primary key, contact text not null, at integer not null)');
      const words = db.prepare(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < 4000)
       insert into words select printf('%064d', i), printf('%0100d', i), ? from n where true
       on conflict (token) do update set at = excluded.at`,
      );
      words.run(1);
      db.exec('begin immediate');
      db.prepare(`insert into words values ('first', 'c', 0)`).run();
      // Thousands of stored rows changed by one statement that may still fail on a conflict: SQLite journals the pages
      // it changes (a statement journal), about 800 KiB here, far past the 64 KiB it keeps in memory by default.
      words.run(2);
      assert.deepEqual(openTemporaryFiles(), [], 'the statement journal stayed in memory');
      db.exec('commit');
      assert.equal((db.prepare('select count(*) as n from words where at = 2').get() as { n: number }).n, 4000);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a file opened for pagescope logs ahead, keeps temporary files in memory and waits for the write lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-sqlite-file-'));
  const db = openSqliteFile(join(dir, 'a.db'), { synchronous: 'NORMAL', secureDelete: true, foreignKeys: true });
  try {
    assert.equal(db.pragma('temp_store', { simple: true }), 2);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
    assert.equal(db.pragma('secure_delete', { simple: true }), 1);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 10_000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a try without waiting runs with no busy timeout, gives null while another connection writes, then restores it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-sqlite-file-'));
  const file = join(dir, 'a.db');
  const db = openSqliteFile(file, { synchronous: 'FULL' });
  const other = openSqliteFile(file, { synchronous: 'FULL' });
  try {
    db.exec('create table t (x integer)');
    const timeout = () => db.pragma('busy_timeout', { simple: true });
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(tryWithoutWaiting(db, timeout), { value: 0 }, `round ${round}: no wait inside`);
      assert.equal(timeout(), SQLITE_BUSY_TIMEOUT_MS, `round ${round}: restored after`);
    }
    other.exec('begin immediate');
    assert.equal(
      tryWithoutWaiting(db, () => db.exec('insert into t values (1)')),
      null,
    );
    assert.throws(() => tryWithoutWaiting(db, () => db.exec('insert into t values (1)'), true), {
      code: 'SQLITE_BUSY',
    });
    assert.equal(timeout(), SQLITE_BUSY_TIMEOUT_MS);
    other.exec('commit');
    assert.notEqual(
      tryWithoutWaiting(db, () => db.exec('insert into t values (1)')),
      null,
    );
  } finally {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('synchronous is set anew at every call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-sqlite-file-'));
  const db = openSqliteFile(join(dir, 'a.db'), { synchronous: 'FULL' });
  try {
    for (const mode of ['NORMAL', 'FULL', 'NORMAL', 'FULL'] as const) {
      setSynchronous(db, mode);
      assert.equal(db.pragma('synchronous', { simple: true }), mode === 'FULL' ? 2 : 1);
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
