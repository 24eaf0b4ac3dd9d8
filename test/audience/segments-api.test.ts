import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { insertAudience, worldContact, type WorldAttributeDef, type WorldContact } from '../support/audience.ts';
import { tokenFor } from '../ingest/support.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { segmentRecipients } from '../../src/modules/segments/segments.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEFS: WorldAttributeDef[] = [
  { key: 'points', type: 'number', personal: false },
  { key: 'email', type: 'text', personal: true },
];

for (const dialect of testDialects()) {
  describe(`segments over HTTP [${dialect}]`, () => {
    let app: TestApp;
    let marketerA = '';
    let agentA = '';
    let analystA = '';
    let ownerB = '';
    let people: Record<string, WorldContact> = {};
    const call = async (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const res = await app.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload && { payload }),
      });
      return { status: res.statusCode, body: res.body === '' ? null : res.json(), text: res.body };
    };
    const preview = (token: string, filter: unknown, extra: object = {}) =>
      call(token, 'POST', `/api/v1/pages/${PAGE_A}/segments/preview`, { filter, ...extra });
    const ids = (body: { sample: { id: string }[] }) => body.sample.map((c) => c.id);

    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-b' });
      marketerA = await tokenFor(app, 'marketer', [PAGE_A]);
      agentA = await tokenFor(app, 'agent', [PAGE_A]);
      analystA = await tokenFor(app, 'analyst', [PAGE_A]);
      ownerB = await tokenFor(app, 'owner', [PAGE_B]);
      const now = app.clock.now();
      const at = (ms: number) => now - ms;
      people = {
        ann: worldContact(at(3 * DAY), { tags: ['vip'], attributes: { points: 120 }, lastUserActionAt: at(HOUR) }),
        bob: worldContact(at(2 * DAY), {
          tags: ['vip', 'b2b'],
          attributes: { points: 40, email: 'Bob@Example.com' },
          lastUserActionAt: at(3 * DAY),
          orders: [{ total: 30, orderedAt: at(10 * DAY), items: [{ sku: 'sku-1', category: 'shoes' }] }],
        }),
        cy: worldContact(at(DAY), { tags: ['new'], locale: null }),
        erased: worldContact(at(DAY), { tags: ['vip'], status: 'erased' }),
        merged: worldContact(at(DAY), { tags: ['vip'], mergedInto: 'ct_survivor' }),
      };
      await insertAudience(app.ctx.db, app.ctx.keyring, PAGE_A, DEFS, Object.values(people), now);
      const other = worldContact(now, { tags: ['vip'] });
      await insertAudience(app.ctx.db, app.ctx.keyring, PAGE_B, [], [other], now);
    });
    after(async () => app.close());

    it('previews a tag: the count and the contacts newest first, never erased or merged ones, never another Page’s', async () => {
      const r = await preview(agentA, { field: 'tag', op: 'eq', value: ' VIP ' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.count, 2);
      assert.deepEqual(ids(r.body), [people.bob!.id, people.ann!.id]);
      assert.equal(r.body.sample[0].psid, undefined, 'the sample carries no identifiers');
      assert.deepEqual(r.body.sample[0].tags, ['b2b', 'vip']);
      const countOnly = await preview(agentA, { field: 'tag', op: 'eq', value: 'vip' }, { limit: 0 });
      assert.deepEqual(countOnly.body, { count: 2, sample: [], next_cursor: null });
    });

    it('holds in its sample, page after page, exactly the contacts a campaign on it would freeze', async () => {
      const filter = {
        any: [
          { field: 'tag', op: 'exists' },
          { field: 'locale', op: 'exists', value: false },
        ],
      };
      const first = await preview(marketerA, filter, { limit: 2 });
      const second = await preview(marketerA, filter, { limit: 2, cursor: first.body.next_cursor });
      assert.equal(second.body.next_cursor, null);
      const frozen: string[] = [];
      for await (const batch of segmentRecipients(app.ctx, app.ctx.db, PAGE_A, filter)) frozen.push(...batch);
      assert.deepEqual([...ids(first.body), ...ids(second.body)], frozen);
      assert.equal(first.body.count, frozen.length);
      assert.deepEqual(new Set(frozen), new Set([people.ann!.id, people.bob!.id, people.cy!.id]));
    });

    it('combines tags, ranges, orders and a personal attribute compared through its blind index', async () => {
      const both = {
        all: [
          { field: 'tag', op: 'eq', value: 'vip' },
          { field: 'attribute.points', op: 'gte', value: 100 },
        ],
      };
      assert.deepEqual(ids((await preview(agentA, both)).body), [people.ann!.id]);
      const ordered = { field: 'orders.last_at', op: 'within_days', value: 30 };
      assert.deepEqual(ids((await preview(agentA, ordered)).body), [people.bob!.id]);
      const email = { field: 'attribute.email', op: 'eq', value: ' bob@example.COM' };
      assert.deepEqual(ids((await preview(agentA, email)).body), [people.bob!.id]);
      const notVip = { field: 'tag', op: 'neq', value: 'vip' };
      assert.deepEqual(ids((await preview(agentA, notVip)).body), [people.cy!.id], 'no tag at all is "not vip" too');
    });

    it('reads the window from the clock: moving time closes it', async () => {
      const open = { field: 'window', op: 'eq', value: 'open' };
      assert.deepEqual(ids((await preview(agentA, open)).body), [people.ann!.id]);
      app.clock.advance(DAY);
      try {
        assert.deepEqual(ids((await preview(agentA, open)).body), []);
        const human = { field: 'window', op: 'eq', value: 'human_agent' };
        assert.deepEqual(ids((await preview(agentA, human)).body), [people.bob!.id, people.ann!.id]);
      } finally {
        app.clock.advance(-DAY);
      }
    });

    it('answers 400 naming the field, the op or the path for a filter outside the contract, and echoes no value', async () => {
      const cases: [unknown, RegExp][] = [
        [{ field: 'shoe_size', op: 'eq', value: 'secret-value' }, /unknown field "shoe_size"/],
        [{ field: 'attribute.nope', op: 'eq', value: 1 }, /unknown attribute "attribute\.nope"/],
        [{ field: 'tag', op: 'gt', value: 'secret-value' }, /op "gt" does not fit "tag"/],
        [{ field: 'attribute.email', op: 'lt', value: 'secret-value' }, /op "lt" does not fit "attribute\.email"/],
        [
          { all: [{ field: 'locale', op: 'sounds_like', value: 'x' }] },
          /filter\.all\[0\]\.op: unknown op "sounds_like"/,
        ],
        [{ field: 'campaign.cp_1', op: 'eq', value: 'sent' }, /campaign fields become available with campaigns/],
        [{ field: 'attribute.points', op: 'gte', value: 'secret-value' }, /"attribute\.points" takes a number/],
        [{ field: 'created_at', op: 'gt', value: 'yesterday' }, /takes an RFC 3339 time/],
        [{ field: 'window', op: 'eq', value: 'ajar' }, /one of open, human_agent, closed/],
        [{ field: 'tag', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, /1 to 1000 values/],
        [{ anything: 1 }, /^filter: a filter is/],
      ];
      for (const [filter, message] of cases) {
        const r = await preview(agentA, filter);
        assert.equal(r.status, 400, JSON.stringify(filter));
        assert.equal(r.body.error.code, 'validation_failed');
        assert.match(r.body.error.message, message);
        assert.doesNotMatch(r.text, /secret-value/);
      }
    });

    it('refuses a filter nested too deep or with too many conditions before building any SQL', async () => {
      // Written by hand: JSON.stringify itself would overflow the stack on a tree this deep.
      const leaf = JSON.stringify({ field: 'tag', op: 'eq', value: 'vip' });
      const res = await app.server.inject({
        method: 'POST',
        url: `/api/v1/pages/${PAGE_A}/segments/preview`,
        headers: { authorization: `Bearer ${agentA}`, 'content-type': 'application/json' },
        payload: `{"filter":${'{"not":'.repeat(50_000)}${leaf}${'}'.repeat(50_000)}}`,
      });
      const d = { status: res.statusCode, body: res.json() };
      assert.equal(d.status, 400);
      assert.match(d.body.error.message, /nests at most 6 levels/);
      const wide = { any: Array.from({ length: 3000 }, () => ({ field: 'tag', op: 'eq', value: 'vip' })) };
      const w = await preview(agentA, wide);
      assert.equal(w.status, 400);
      assert.match(w.body.error.message, /at most 100 conditions/);
    });

    it('lets marketers save, rename and delete segments, each audited; agents and analysts only read them', async () => {
      const filter = {
        all: [
          { field: 'tag', op: 'eq', value: 'VIP' },
          { field: 'created_at', op: 'gt', value: '2026-01-01T00:00:00+01:00' },
        ],
      };
      assert.equal(
        (await call(agentA, 'POST', `/api/v1/pages/${PAGE_A}/segments`, { name: 'VIP', filter })).status,
        403,
      );
      const made = await call(marketerA, 'POST', `/api/v1/pages/${PAGE_A}/segments`, { name: ' VIP ', filter });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.body.name, 'VIP');
      assert.deepEqual(made.body.filter, {
        all: [
          { field: 'tag', op: 'eq', value: 'vip' },
          { field: 'created_at', op: 'gt', value: '2025-12-31T23:00:00.000Z' },
        ],
      });
      const again = await call(marketerA, 'POST', `/api/v1/pages/${PAGE_A}/segments`, { name: 'VIP', filter });
      assert.equal(again.status, 409);
      const listed = await call(analystA, 'GET', `/api/v1/pages/${PAGE_A}/segments`);
      assert.deepEqual(
        listed.body.data.map((s: { name: string }) => s.name),
        ['VIP'],
      );
      const saved = (await call(agentA, 'GET', `/api/v1/segments/${made.body.id}`)).body;
      assert.equal((await preview(agentA, saved.filter)).body.count, 2);
      const bad = await call(marketerA, 'PATCH', `/api/v1/segments/${made.body.id}`, {
        filter: { field: 'x', op: 'eq' },
      });
      assert.equal(bad.status, 400);
      const renamed = await call(marketerA, 'PATCH', `/api/v1/segments/${made.body.id}`, { name: 'Top' });
      assert.equal(renamed.body.name, 'Top');
      assert.equal((await call(ownerB, 'DELETE', `/api/v1/segments/${made.body.id}`)).status, 404);
      assert.equal((await call(marketerA, 'DELETE', `/api/v1/segments/${made.body.id}`)).status, 204);
      assert.equal((await call(agentA, 'GET', `/api/v1/segments/${made.body.id}`)).status, 404);
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select(['action', 'page_id'])
        .where('subject_id', '=', made.body.id)
        .orderBy('at')
        .execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['segment.create', 'segment.delete', 'segment.update']);
      assert.ok(audit.every((a) => a.page_id === PAGE_A));
    });

    it('lists the fields with their ops and the Page’s own values; a personal attribute suggests none', async () => {
      const r = await call(agentA, 'GET', `/api/v1/pages/${PAGE_A}/segments/fields`);
      assert.equal(r.status, 200, r.text);
      const byField = new Map(r.body.data.map((f: { field: string }) => [f.field, f]));
      assert.deepEqual(byField.get('tag'), {
        field: 'tag',
        type: 'string',
        ops: ['eq', 'neq', 'in', 'nin', 'exists'],
        values: ['vip', 'b2b', 'new'],
        personal: false,
      });
      assert.deepEqual(byField.get('attribute.email'), {
        field: 'attribute.email',
        type: 'string',
        ops: ['eq', 'neq', 'in', 'nin', 'exists'],
        values: [],
        personal: true,
      });
      assert.equal((byField.get('attribute.points') as { type: string }).type, 'number');
      assert.deepEqual((byField.get('window') as { values: string[] }).values, ['open', 'human_agent', 'closed']);
    });
  });
}
