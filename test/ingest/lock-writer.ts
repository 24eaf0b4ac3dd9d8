// A writer in a thread of its own, as the server's thread is beside serve's processing thread: it opens the test
// app's SQLite file with the app's shared count of waiting writers and, told to, commits one row of `meta` through
// the product's database layer (whose writes count themselves while they wait for the lock), in a transaction or alone.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../src/db/database.ts';

export const LOCK_WRITER_ROLE = 'test-lock-writer';

if (!isMainThread && (workerData as { role?: string } | null)?.role === LOCK_WRITER_ROLE) {
  const { dataDir, fileName, lockWaiters } = workerData as {
    dataDir: string;
    fileName: string;
    lockWaiters: SharedArrayBuffer;
  };
  const database = await openDatabase({ dataDir, fileName, databaseUrl: null, lockWaiters });
  const port = parentPort!;
  port.on('message', async (m: { type: 'write'; key: string; alone: boolean } | { type: 'close' }) => {
    if (m.type === 'write') {
      const insert = (db: typeof database.db) => db.insertInto('meta').values({ key: m.key, value: '1' }).execute();
      // In a transaction (BEGIN IMMEDIATE waits for the lock), or alone (the INSERT waits for it itself).
      if (m.alone) await insert(database.db);
      else await database.db.transaction().execute((trx) => insert(trx));
      port.postMessage({ type: 'written' });
    } else {
      await database.close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready' });
}
