import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDialects } from '../support/db.ts';
import type { GraphClient } from '../../src/platform/index.ts';
import { startIngestWorkers } from '../../src/modules/ingest/index.ts';
import { PAGE_A, envelope, ingestApp, messageItem, postWebhook } from './support.ts';

for (const dialect of testDialects()) {
  describe(`ingest workers [${dialect}]`, () => {
    it("process a stored delivery at once (the webhook wakes them) and fetch the new contact's profile, then stop cleanly", async () => {
      const app = await ingestApp(dialect);
      const graph = { getUserProfile: async () => ({ first_name: 'Wake', last_name: 'Up' }) } as unknown as GraphClient;
      // Idle pauses far longer than the test: only the wake-up can explain prompt processing.
      const workers = startIngestWorkers(app.ctx, {
        idleMs: 60_000,
        profileIdleMs: 100,
        retentionIdleMs: 60_000,
        graph,
      });
      try {
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(
          (
            await postWebhook(
              app,
              envelope(PAGE_A, [messageItem(PAGE_A, '7000000000000001', 'm_wake', 'wake up', app.clock.now())]),
            )
          ).statusCode,
          200,
        );
        let contact;
        for (let i = 0; i < 100 && contact?.profile_status !== 'ok'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          contact = await app.ctx.db.selectFrom('contacts').selectAll().executeTakeFirst();
        }
        assert.equal(contact?.profile_status, 'ok');
        // On SQLite a fourth loop moves what a stopped web process left in the webhook spool.
        assert.deepEqual(
          workers.map((w) => w.name),
          [
            'webhook-processor',
            'profile-enricher',
            'raw-retention',
            ...(dialect === 'sqlite' ? ['webhook-spool-rescue'] : []),
          ],
        );
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await app.close();
      }
    });
  });
}
