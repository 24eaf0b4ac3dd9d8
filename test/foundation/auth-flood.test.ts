// A flood of bad credentials stays cheap: failures are counted per source and minute (a few rows, not one per
// request), a source that keeps failing is answered 429 with Retry-After, a valid token still works, and the counts
// go with their retention while the audit log is untouched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { authFailures } from '../../src/modules/access/auth-failures.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { runRetentionJob } from '../../src/modules/retention/retention.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';

const DAY = 24 * 3600_000;

for (const dialect of testDialects()) {
  describe(`a flood of failed authentications [${dialect}]`, () => {
    let app: TestApp;
    before(async () => {
      app = await createTestApp(dialect, {
        routes: routeModules(),
        env: { PAGESCOPE_AUTH_FAILURE_LIMIT: '20', PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS: '30' },
      });
    });
    after(async () => app.close());
    const count = async (table: 'auth_failures' | 'audit_events') =>
      Number(
        (
          await app.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('writes a few rows for 1,000 bad tokens from one source, answers 429 after the limit, and lets a valid token through', async () => {
      const auditBefore = await count('audit_events');
      const statuses = new Map<number, number>();
      let retryAfter: string | undefined;
      for (let i = 0; i < 1000; i++) {
        const r = await app.server.inject({
          url: '/api/v1/pages',
          headers: bearer(`psk_wrong${i}`),
          remoteAddress: '203.0.113.7',
        });
        statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
        if (r.statusCode === 429) retryAfter ??= r.headers['retry-after'] as string;
      }
      assert.deepEqual([...statuses.entries()].sort(), [
        [401, 20],
        [429, 980],
      ]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
      const valid = await app.server.inject({
        url: '/api/v1/pages',
        headers: bearer(app.ownerToken),
        remoteAddress: '203.0.113.7',
      });
      assert.equal(valid.statusCode, 200, 'a valid token works from the same address');
      const elsewhere = await app.server.inject({
        url: '/api/v1/pages',
        headers: bearer('psk_wrong'),
        remoteAddress: '198.51.100.9',
      });
      assert.equal(elsewhere.statusCode, 401, 'another address is not held back');

      await authFailures(app.ctx).flush();
      const rows = await app.ctx.db
        .selectFrom('auth_failures')
        .selectAll()
        .where('source', '=', '203.0.113.7')
        .execute();
      assert.ok(rows.length <= 2, `${rows.length} rows`);
      assert.equal(
        rows.reduce((n, r) => n + r.failures, 0),
        1000,
      );
      assert.deepEqual(
        [...new Set(rows.map((r) => [r.kind, r.reason].join(' ')))],
        ['api_token unknown_or_revoked_token'],
      );
      assert.equal(await count('audit_events'), auditBefore, 'no audit row per failure');
      assert.equal(JSON.stringify(rows).includes('psk_wrong'), false, 'no token is kept');
    });

    it('shows the counts to a token that sees every Page, and to no other', async () => {
      const owner = await app.server.inject({ url: '/api/v1/auth-failures?limit=10', headers: bearer(app.ownerToken) });
      assert.equal(owner.statusCode, 200);
      const mine = owner.json().data.filter((r: { source: string }) => r.source === '203.0.113.7');
      assert.deepEqual(
        mine.map((r: { kind: string; failures: number }) => [r.kind, r.failures]),
        [['api_token', 1000]],
      );
      const agent = (await createToken(app.ctx, cliActor, { name: 'agent', role: 'agent' })).token;
      assert.equal((await app.server.inject({ url: '/api/v1/auth-failures', headers: bearer(agent) })).statusCode, 403);
    });

    it('counts rejected signed_request callbacks the same way', async () => {
      for (let i = 0; i < 30; i++) {
        const r = await app.server.inject({
          method: 'POST',
          url: '/meta/data-deletion',
          payload: `signed_request=bad.${i}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          remoteAddress: '192.0.2.44',
        });
        assert.equal(r.statusCode, i < 20 ? 400 : 429);
      }
      await authFailures(app.ctx).flush();
      const rows = await app.ctx.db
        .selectFrom('auth_failures')
        .selectAll()
        .where('source', '=', '192.0.2.44')
        .execute();
      assert.ok(rows.length <= 2);
      assert.deepEqual([rows[0]!.kind, rows.reduce((n, r) => n + r.failures, 0)], ['meta_data_deletion', 30]);
    });

    it('adds to the same row across flushes, and starts again after the minute', async () => {
      await app.server.inject({ url: '/api/v1/pages', remoteAddress: '198.51.100.20' });
      await authFailures(app.ctx).flush();
      await app.server.inject({ url: '/api/v1/pages', remoteAddress: '198.51.100.20' });
      await authFailures(app.ctx).flush();
      app.clock.advance(60_000);
      const r = await app.server.inject({
        url: '/api/v1/pages',
        headers: bearer('psk_wrong'),
        remoteAddress: '203.0.113.7',
      });
      assert.equal(r.statusCode, 401, 'a new minute, a new allowance');
      await authFailures(app.ctx).flush();
      const rows = await app.ctx.db
        .selectFrom('auth_failures')
        .select(['reason', 'failures'])
        .where('source', '=', '198.51.100.20')
        .execute();
      assert.deepEqual(
        rows.map((x) => [x.reason, x.failures]),
        [['missing_token', 2]],
      );
    });

    it('removes counts past their retention and leaves the audit log alone', async () => {
      const audit = await app.ctx.db.selectFrom('audit_events').select('id').orderBy('id').execute();
      const before = await count('auth_failures');
      app.clock.advance(29 * DAY);
      await app.server.inject({ url: '/api/v1/pages', remoteAddress: '198.51.100.30' });
      await authFailures(app.ctx).flush();
      app.clock.advance(2 * DAY);
      const report = await runRetentionJob(app.ctx, 'auth-failures');
      assert.equal(report.counts.auth_failures, before, 'the rows older than 30 days are gone');
      const left = await app.ctx.db.selectFrom('auth_failures').select('source').execute();
      assert.deepEqual(
        left.map((r) => r.source),
        ['198.51.100.30'],
        'the younger row stays',
      );
      const after = await app.ctx.db.selectFrom('audit_events').select(['id', 'action']).orderBy('id').execute();
      assert.deepEqual(
        after.slice(0, audit.length).map((r) => r.id),
        audit.map((r) => r.id),
        'no audit row removed',
      );
      assert.deepEqual(
        after.slice(audit.length).map((r) => r.action),
        ['retention.purge'],
        'the purge itself is audited',
      );
    });
  });
}
