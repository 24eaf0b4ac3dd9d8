import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { forEachDialect } from '../../../test/support/db.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import { newId } from '../../lib/ids.ts';
import {
  claimPosts,
  claimQuery,
  releaseLeases,
  settleAttempt,
  settleSent,
  settleSentRow,
  type ClaimOptions,
} from './outbox.repository.ts';

const NOW = Date.UTC(2026, 10, 28, 12);
const LEASE = 60_000;

forEachDialect('the outbox queue', (database, dialect) => {
  let page = 0;
  let seq = 0;
  // Each test starts from an empty queue.
  beforeEach(async () => {
    await database().db.deleteFrom('deliveries').execute();
  });
  async function freshPage(status: 'active' | 'token_invalid' = 'active'): Promise<string> {
    const id = `7000${dialect === 'sqlite' ? 1 : 2}${String(++page).padStart(4, '0')}`;
    await database()
      .db.insertInto('pages')
      .values({ id, name: 'Queue', access_token_enc: 'x', status, created_at: NOW, updated_at: NOW })
      .execute();
    return id;
  }
  async function enqueue(pageId: string, contactId: string, over: Partial<DeliveryTable> = {}): Promise<string> {
    // Ids are time-ordered; a millisecond apart, creation order is id order.
    const id = newId('dl', NOW + ++seq);
    await database()
      .db.insertInto('deliveries')
      .values({
        id,
        page_id: pageId,
        contact_id: contactId,
        message_id: newId('msg', NOW),
        author: 'automation',
        kind: 'text',
        messaging_type: 'RESPONSE',
        tag: null,
        body_enc: 'x',
        status: 'queued',
        reason: null,
        error_code: null,
        error_message: null,
        meta_code: null,
        meta_subcode: null,
        mid: null,
        attempts: 0,
        next_attempt_at: NOW,
        lease_owner: null,
        lease_until: null,
        campaign_id: null,
        idempotency_key: null,
        created_by: null,
        created_at: NOW,
        updated_at: NOW,
        sent_at: null,
        delivered_at: null,
        read_at: null,
        ...over,
      })
      .execute();
    return id;
  }
  const claim = (owner: string, limit: number, now = NOW, contactIds?: string[]) =>
    database()
      .db.transaction()
      .execute((trx) =>
        claimPosts(trx, dialect, { owner, now, leaseMs: LEASE, limit, ...(contactIds && { contactIds }) }),
      );
  const row = (id: string) =>
    database().db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('claims due deliveries oldest first, one per contact, and leases them with the next attempt number', async () => {
    const p = await freshPage();
    const a1 = await enqueue(p, 'ct_a');
    const b1 = await enqueue(p, 'ct_b');
    await enqueue(p, 'ct_a');
    await enqueue(p, 'ct_c', { next_attempt_at: NOW + 5000 });
    const claimed = await claim('w1', 10);
    assert.deepEqual(
      claimed.map((d) => d.id),
      [a1, b1],
    );
    assert.deepEqual(
      claimed.map((d) => [d.status, d.attempts, d.lease_owner, d.lease_until, d.next_attempt_at]),
      [
        ['sending', 1, 'w1', NOW + LEASE, NOW + LEASE],
        ['sending', 1, 'w1', NOW + LEASE, NOW + LEASE],
      ],
    );
    assert.deepEqual(await claim('w2', 10), [], "a contact's second delivery waits while its first is sending");
  });

  test("makes a contact's next delivery claimable once the previous one is settled", async () => {
    const p = await freshPage();
    const first = await enqueue(p, 'ct_d');
    const second = await enqueue(p, 'ct_d');
    const [claimed] = await claim('w1', 10);
    assert.equal(claimed?.id, first);
    assert.equal(await settleAttempt(database().db, first, 1, { status: 'sent', mid: 'm_1', sent_at: NOW }, NOW), true);
    assert.deepEqual(
      (await claim('w1', 10)).map((d) => d.id),
      [second],
    );
  });

  test('skips Pages that are not active', async () => {
    const paused = await freshPage('token_invalid');
    await enqueue(paused, 'ct_e');
    assert.deepEqual(await claim('w1', 10), []);
  });

  test("takes over a delivery whose lease expired; the old attempt's result is then fenced off", async () => {
    const p = await freshPage();
    const id = await enqueue(p, 'ct_f');
    await claim('dead', 10);
    assert.deepEqual(await claim('w2', 10, NOW + LEASE - 1), [], 'not before the lease ends');
    const [taken] = await claim('w2', 10, NOW + LEASE);
    assert.deepEqual([taken?.id, taken?.attempts, taken?.lease_owner], [id, 2, 'w2']);
    assert.equal(await settleAttempt(database().db, id, 1, { status: 'sent', mid: 'm_old', sent_at: NOW }, NOW), false);
    assert.equal(await settleAttempt(database().db, id, 2, { status: 'sent', mid: 'm_new', sent_at: NOW }, NOW), true);
    assert.deepEqual([(await row(id)).mid, (await row(id)).lease_owner], ['m_new', null]);
  });

  test('claims for named contacts only their first open delivery', async () => {
    const p = await freshPage();
    const g1 = await enqueue(p, 'ct_g');
    await enqueue(p, 'ct_g');
    const h1 = await enqueue(p, 'ct_h');
    const i1 = await enqueue(p, 'ct_i');
    const claimed = await claim('w1', 10, NOW, ['ct_g', 'ct_i', 'ct_unknown']);
    assert.deepEqual(
      claimed.map((d) => d.id),
      [g1, i1],
    );
    assert.equal((await row(h1)).status, 'queued');
  });

  test('records many sent attempts at once, each fenced by its own attempt number', async () => {
    const p = await freshPage();
    const a = await enqueue(p, 'ct_k', { messaging_type: null, tag: null });
    const b = await enqueue(p, 'ct_l', { messaging_type: 'RESPONSE', tag: null });
    const c = await enqueue(p, 'ct_m');
    await claim('w1', 10);
    const settled = await settleSent(
      database().db,
      dialect,
      [
        { id: a, attempt: 1, mid: 'm_a', labels: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } },
        { id: b, attempt: 1, mid: 'm_b' },
        { id: c, attempt: 7, mid: 'm_c' },
      ],
      NOW + 5,
    );
    assert.deepEqual([...settled].sort(), [a, b].sort());
    const [ra, rb, rc] = [await row(a), await row(b), await row(c)];
    assert.deepEqual(
      [ra.status, ra.mid, ra.messaging_type, ra.tag, ra.sent_at, ra.lease_owner],
      ['sent', 'm_a', 'MESSAGE_TAG', 'HUMAN_AGENT', NOW + 5, null],
    );
    assert.deepEqual(
      [rb.status, rb.mid, rb.messaging_type, rb.tag],
      ['sent', 'm_b', 'RESPONSE', null],
      'labels not given are kept',
    );
    assert.deepEqual([rc.status, rc.mid, rc.lease_owner], ['sending', null, 'w1'], 'another attempt holds it');
  });

  test("claims agents' and automations' sends before campaign sends queued earlier", async () => {
    const p = await freshPage();
    const campaign = [];
    for (const c of ['ct_k1', 'ct_k2', 'ct_k3'])
      campaign.push(await enqueue(p, c, { author: 'campaign', campaign_id: 'cp_1', next_attempt_at: NOW - 1000 }));
    const reply = await enqueue(p, 'ct_k4', { author: 'agent' });
    const automation = await enqueue(p, 'ct_k5');
    assert.deepEqual(
      (await claim('w1', 3)).map((d) => d.id),
      [reply, automation, campaign[0]],
    );
    assert.deepEqual(
      (await claim('w1', 3)).map((d) => d.id),
      [campaign[1], campaign[2]],
    );
  });

  test('gives every delivery of a stopping worker back to the queue', async () => {
    const p = await freshPage();
    const id = await enqueue(p, 'ct_j');
    await claim('leaving', 10);
    assert.equal(await releaseLeases(database().db, 'leaving', NOW + 1), 1);
    assert.deepEqual(
      [(await row(id)).status, (await row(id)).lease_owner, (await row(id)).next_attempt_at],
      ['queued', null, NOW + 1],
    );
  });

  if (dialect === 'sqlite') {
    const plan = async (o: ClaimOptions, status: 'queued' | 'sending') => {
      const q = claimQuery(database().db, dialect, o, status).compile();
      const r = await database().db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
      );
      return r.rows.map((x) => x.detail);
    };
    const o: ClaimOptions = { owner: 'w', now: NOW, leaseMs: LEASE, limit: 16 };

    test('finds the rows to claim by primary key, so a claim does not walk the whole queue', async () => {
      for (const status of ['queued', 'sending'] as const) {
        const [outer] = await plan(o, status);
        assert.match(
          outer ?? '',
          /^SEARCH deliveries USING (COVERING )?INDEX sqlite_autoindex_deliveries_1 \(id=\?\)/,
          `${status}: ${outer}`,
        );
      }
    });

    test('settles sent attempts by primary key, not by walking every sending row', async () => {
      for (const labels of [undefined, { messaging_type: 'RESPONSE' as const, tag: null }]) {
        const q = settleSentRow({ id: 'dl_a', attempt: 1, mid: 'm_a', ...(labels && { labels }) }, NOW);
        const r = await database().db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
        );
        assert.match(r.rows[0]?.detail ?? '', /^SEARCH deliveries USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)/);
      }
    });

    test('finds the deliveries of named contacts through the contact index, not the queue', async () => {
      const steps = await plan({ ...o, contactIds: ['ct_a', 'ct_b'] }, 'queued');
      assert.ok(
        steps.some((d) => /^SEARCH d USING INDEX deliveries_contact_open \(contact_id=\? AND status=\?\)/.test(d)),
        steps.join('\n'),
      );
    });
  }
});
