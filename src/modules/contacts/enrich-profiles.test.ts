import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../../../test/support/db.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { classifyGraphError, GraphError, type GraphClient, type UserProfile } from '../../platform/index.ts';
import { cliActor } from '../access/actor.ts';
import { registerPage } from '../pages/register-page.ts';
import { enrichProfiles } from './enrich-profiles.ts';
import { resolveContact } from './resolve-contact.ts';
import { findContactById } from './contacts.repository.ts';
import { openContactColumn } from './contact-columns.ts';

const PAGE = '100000000000009';
const HOUR = 3600_000;
const metaError = (code: number, subcode?: number) =>
  new GraphError(
    'user_profile',
    classifyGraphError(400, { error: { code, ...(subcode && { error_subcode: subcode }), message: 'x' } }),
  );

/** A Graph client answering the User Profile API from a table of PSID → answer, recording each call. */
function fakeGraph(answers: Record<string, UserProfile | GraphError>, calls: string[]): GraphClient {
  return {
    getUserProfile: async (_token: string, psid: string) => {
      calls.push(psid);
      const a = answers[psid];
      if (a instanceof GraphError) throw a;
      return a ?? {};
    },
  } as unknown as GraphClient;
}

for (const dialect of testDialects()) {
  describe(`profile enrichment [${dialect}]`, () => {
    let app: TestApp;
    before(async () => {
      app = await createTestApp(dialect);
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shop', access_token: 'page-token-123' });
    });
    after(() => app.close());

    const contactFor = async (psid: string) => resolveContact(app.ctx, app.ctx.db, PAGE, psid, app.clock.now());
    const reload = async (id: string) => (await findContactById(app.ctx.db, id, null))!;

    it('fetches a new contact once, then not again before the refresh period', async () => {
      const calls: string[] = [];
      const c = await contactFor('5000000000000001');
      const graph = fakeGraph(
        { '5000000000000001': { first_name: 'Ana', last_name: 'Silva', locale: 'pt_BR', timezone: -3 } },
        calls,
      );
      assert.equal(await enrichProfiles(app.ctx, { graph }), 1);
      assert.equal(await enrichProfiles(app.ctx, { graph }), 0);
      const row = await reload(c.id);
      assert.deepEqual(
        [row.profile_status, openContactColumn(app.ctx, row, 'first_name_enc'), row.timezone],
        ['ok', 'Ana', -3],
      );
      app.clock.advance(app.ctx.config.profileRefreshHours * HOUR);
      await enrichProfiles(app.ctx, { graph });
      assert.deepEqual(calls, ['5000000000000001', '5000000000000001']);
    });

    it('copes with a name-only answer, no permission, no profile and an empty answer', async () => {
      const psids = ['5000000000000002', '5000000000000003', '5000000000000004', '5000000000000005'];
      const contacts = await Promise.all(psids.map(contactFor));
      const graph = fakeGraph(
        {
          [psids[0]!]: { name: 'Only Name' },
          [psids[1]!]: metaError(100, 33),
          [psids[2]!]: metaError(100, 2018218),
          [psids[3]!]: {},
        },
        [],
      );
      await enrichProfiles(app.ctx, { graph });
      const rows = await Promise.all(contacts.map((c) => reload(c.id)));
      assert.deepEqual(
        rows.map((r) => r.profile_status),
        ['name_only', 'no_permission', 'no_profile', 'no_permission'],
      );
      assert.equal(openContactColumn(app.ctx, rows[0]!, 'name_enc'), 'Only Name');
      assert.ok(rows[1]!.profile_next_at! - app.clock.now() >= 24 * HOUR, 'no permission is retried much later');
    });

    it('backs the Page off on a rate limit instead of calling for every contact', async () => {
      const calls: string[] = [];
      const psids = ['5000000000000006', '5000000000000007', '5000000000000008'];
      for (const p of psids) await contactFor(p);
      const graph = fakeGraph(Object.fromEntries(psids.map((p) => [p, metaError(32)])), calls);
      await enrichProfiles(app.ctx, { graph });
      assert.equal(calls.length, 1);
      assert.equal(await enrichProfiles(app.ctx, { graph }), 0, 'nothing is due while the Page waits');
    });

    it('refetches before an expiring picture URL runs out', async () => {
      const c = await contactFor('5000000000000009');
      const expiresAt = app.clock.now() + 3 * HOUR;
      const pic = `https://cdn.example/p.jpg?oh=1&oe=${Math.floor(expiresAt / 1000)
        .toString(16)
        .toUpperCase()}`;
      await enrichProfiles(app.ctx, {
        graph: fakeGraph({ '5000000000000009': { first_name: 'Pic', profile_pic: pic } }, []),
      });
      const row = await reload(c.id);
      assert.ok(row.profile_next_at! < expiresAt);
    });

    it('marks the Page token_invalid when Meta rejects its token (190), once, and calls no more for its contacts', async () => {
      const other = '100000000000010';
      await registerPage(app.ctx, cliActor, { id: other, name: 'Expired', access_token: 'page-token-expired' });
      const psids = ['5000000000000011', '5000000000000012'];
      for (const p of psids) await resolveContact(app.ctx, app.ctx.db, other, p, app.clock.now());
      const calls: string[] = [];
      await enrichProfiles(app.ctx, {
        graph: fakeGraph(Object.fromEntries(psids.map((p) => [p, metaError(190, 463)])), calls),
      });
      assert.equal(calls.length, 1, 'the second contact of that Page waits');
      const page = await app.ctx.db
        .selectFrom('pages')
        .select('status')
        .where('id', '=', other)
        .executeTakeFirstOrThrow();
      assert.equal(page.status, 'token_invalid');
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'page.token_invalid')
        .where('page_id', '=', other)
        .execute();
      assert.deepEqual(
        audit.map((a) => JSON.parse(a.details!).source),
        ['profile'],
      );
      assert.equal(app.logs.text().includes('page-token-expired'), false);
    });
  });
}
