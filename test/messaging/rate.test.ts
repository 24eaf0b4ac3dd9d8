import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { startDispatcher } from '../../src/modules/messaging/dispatcher.ts';
import { MemoryRateLimiter, type RateLimiter } from '../../src/modules/messaging/rate-limiter.ts';
import { RedisRateLimiter } from '../../src/modules/messaging/rate-limiter.redis.ts';
import { busiestWindow } from '../../src/modules/messaging/rate-limiter.check.ts';
import { sendMessage } from '../../src/modules/messaging/send-message.ts';
import { createMessagingWorld, eventually, insertContact, type MessagingWorld } from './support.ts';
import { startRemoteEmulator, type RemoteEmulator } from './remote-emulator.ts';

const TEST_REDIS_URL = testRedisUrl();
const LIMIT = 20;
const SENDS = 100;

test(`two dispatchers sharing ${TEST_REDIS_URL ? 'Redis' : 'one in-memory limiter'} never send more than ${LIMIT} per second per Page`, async (t) => {
  let w!: MessagingWorld;
  let meta!: RemoteEmulator;
  const redis: Redis[] = [];
  before(async () => {
    // Meta in its own process, so that its clock stamps arrivals, not this process's event loop; its own limit is
    // off, so only ours stands between the dispatchers and the call log.
    meta = await startRemoteEmulator({
      rateLimits: false,
      appSecret: 'test-app-secret',
      policy: { echoes: false, deliveryReceipts: false },
    });
    w = await createMessagingWorld('sqlite');
    w.app.ctx.config.meta.graphUrl = meta.url;
    w.ctx.config.meta.graphUrl = meta.url;
  });
  after(async () => {
    for (const r of redis) r.disconnect();
    await w.close();
    await meta.close();
  });

  await t.test('measured on the emulator’s call log, for two Pages at once', async () => {
    const pages = [];
    const ids: string[] = [];
    for (const name of ['Rate A', 'Rate B']) {
      const page = await meta.createPage(name);
      await registerPage(w.ctx, cliActor, { id: page.id, name, access_token: page.access_token });
      pages.push(page);
      const contacts = [];
      for (let i = 0; i < 25; i++)
        contacts.push(await insertContact(w.ctx, page.id, (await meta.createPerson(page.id, `R${i}`)).psid));
      for (let i = 0; i < SENDS; i++)
        ids.push((await sendMessage(w.ctx, cliActor, contacts[i % contacts.length]!, { text: `r${i}` })).delivery.id);
    }
    let limiters: RateLimiter[];
    if (TEST_REDIS_URL) {
      const prefix = `pagescope:test:${Date.now()}:${Math.random()}:`;
      for (let i = 0; i < 2; i++) redis.push(new Redis(TEST_REDIS_URL));
      limiters = redis.map((r) => new RedisRateLimiter(r, { prefix }));
    } else {
      const shared = new MemoryRateLimiter();
      limiters = [shared, shared];
    }
    const workers = limiters.map((limiter, i) =>
      startDispatcher(w.ctx, { workerId: `rate-${i}`, concurrency: 16, limiter, rates: { text: LIMIT }, idleMs: 10 }),
    );
    await eventually(
      async () => {
        const rows = await w.ctx.db.selectFrom('deliveries').select('status').where('id', 'in', ids).execute();
        return rows.every((r) => r.status === 'sent');
      },
      'every send went out',
      60_000,
    );
    await Promise.all(workers.map((x) => x.stop()));

    const byPage = new Map<string, number[]>();
    const pageOf = new Map(
      (await w.ctx.db.selectFrom('deliveries').select(['id', 'page_id']).where('id', 'in', ids).execute()).map((r) => [
        r.id,
        r.page_id,
      ]),
    );
    for (const call of await meta.calls()) {
      const id = call.params.message?.metadata;
      const page = id && pageOf.get(id);
      if (!page || call.status !== 200) continue;
      byPage.set(page, [...(byPage.get(page) ?? []), call.at]);
    }
    for (const page of pages) {
      const times = byPage.get(page.id) ?? [];
      assert.equal(times.length, SENDS);
      const busiest = busiestWindow(times, 1000);
      if (process.env.RATE_DEBUG)
        console.log(
          times
            .sort((a, b) => a - b)
            .map((x) => x - times[0]!)
            .join(' '),
        );
      assert.ok(busiest <= LIMIT, `Page ${page.id}: ${busiest} sends in one second`);
      // The sends ran near the limit, held back by it (unlimited, all of them would go out in well under a second).
      assert.ok(busiest >= LIMIT * 0.6, `Page ${page.id}: only ${busiest} sends in the busiest second`);
    }
  });
});
