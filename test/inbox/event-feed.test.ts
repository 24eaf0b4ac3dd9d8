import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { EventFeed } from '../../src/modules/events/event-feed.ts';
import {
  appendEvents,
  eventBounds,
  onEventsAppended,
  PG_EVENTS_CHANNEL,
} from '../../src/modules/events/events.repository.ts';
import { testDialects, testPgUrl } from '../support/db.ts';

/** A feed that, left alone, would look again only after a minute: longer than any wait below. */
const RARELY = 60_000;
const WAIT = 10_000;

/** Lets the feed's look at the start of a wait go by, so what is appended next can only be found by a later look. */
const firstLookDone = () => new Promise((resolve) => setTimeout(resolve, 200));

const event = (at: number) => ({
  page_id: '1100000000000001',
  type: 'conversation.updated' as const,
  conversation_id: 'cv_01m8xhj97nk0gy9d6rr4g108zd',
  contact_id: null,
  message_id: null,
  delivery_id: null,
  at,
});

async function append(database: Database): Promise<void> {
  await database.db.transaction().execute(async (trx) => appendEvents(trx, database.dialect, [event(Date.now())]));
}

for (const dialect of testDialects()) {
  test(`a reader waiting for events learns of one appended in this thread at once, not at the next poll [${dialect}]`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-feed-'));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = dialect === 'postgres' ? testPgUrl() : null;
    const database = await openDatabase({ dataDir, databaseUrl: url, ...(url ? { schema } : {}) });
    await migrateToLatest(database);
    const feed = new EventFeed(database.db, RARELY);
    const unsubscribe = onEventsAppended(() => feed.wake());
    try {
      const { newest: head } = await eventBounds(database.db);
      const waiting = feed.wait(head, WAIT);
      await firstLookDone();
      // The wake-up comes from inside the appending transaction, before its commit: the looks that follow find it.
      await append(database);
      assert.ok((await waiting) > head, 'the reader was told of the new event before its wait ran out');
    } finally {
      unsubscribe();
      feed.close();
      await database.close();
      if (url) await dropSchema(url, schema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

const pgUrl = testPgUrl();
test(
  'on PostgreSQL a reader learns of an event another process appended through NOTIFY at its commit',
  { skip: pgUrl ? false : 'PAGESCOPE_TEST_DATABASE_URL is not set' },
  async () => {
    const url = pgUrl!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'pagescope-feed-'));
    const here = await openDatabase({ dataDir, databaseUrl: url, schema });
    await migrateToLatest(here);
    // Another process's connection pool on the same database; its appends reach this thread by no other way.
    const there = await openDatabase({ dataDir, databaseUrl: url, schema });
    const feed = new EventFeed(here.db, RARELY);
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    // The listener is also called once when its connection is up (what was notified before is in the table).
    const unlisten = here.listen(PG_EVENTS_CHANNEL, () => {
      listening();
      feed.wake();
    });
    try {
      await ready;
      const { newest: head } = await eventBounds(here.db);
      const waiting = feed.wait(head, WAIT);
      await firstLookDone();
      await append(there);
      assert.ok((await waiting) > head, 'the reader was told of the new event before its wait ran out');
    } finally {
      await unlisten();
      feed.close();
      await there.close();
      await here.close();
      await dropSchema(url, schema);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
