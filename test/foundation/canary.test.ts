import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestApp } from '../support/app.ts';
import { canaries, findInFiles, sqliteFiles } from '../support/canary.ts';
import { seedContact } from '../support/seed.ts';
import { routeModules } from '../../src/app/modules.ts';

test('Page tokens, API tokens, PSIDs, names and texts never reach the SQLite files, the WAL or the logs in plaintext', async () => {
  const app = await createTestApp('sqlite', { routes: routeModules() });
  try {
    const c = canaries('F');
    const headers = bearer(app.ownerToken);
    const reg = await app.server.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers,
      payload: { id: '3300000000000003', name: 'Canary Page', access_token: c.pageToken },
    });
    assert.equal(reg.statusCode, 201);
    const seeded = await seedContact(app.ctx, '3300000000000003', { psid: c.psid, name: c.name, text: c.text });
    // Push the values through every route we have, including error paths and URLs that carry them.
    // A live stream never ends on its own: its scope and content are tested in test/inbox/inbox-http.test.ts.
    for (const r of app.server.routeTable.filter((x) => x.method === 'GET' && x.url !== '/api/v1/events/stream')) {
      const url = r.url
        .replace(':pageId', '3300000000000003')
        .replace(':contactId', seeded.contactId)
        .replace(':psid', c.psid)
        .replace(/:\w+/g, c.psid);
      await app.server.inject({ method: 'GET', url: `${url}?q=${c.name}`, headers });
    }
    await app.server.inject({
      method: 'GET',
      url: '/api/v1/pages',
      headers: { authorization: `Bearer ${c.pageToken}` },
    });
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers,
      payload: { id: c.psid, name: c.name, access_token: `bad ${c.pageToken}` },
    });
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"id": "${c.psid}", "name": "${c.name}"`,
    });

    // A buyer's email and last name, on an order and in order-status checks (kept only as blind indexes).
    const email = `canary.${c.psid}@example.com`;
    const order = {
      external_id: 'CANARY-1',
      email,
      last_name: c.name,
      link_ref: c.text.slice(0, 40),
      status: 'paid',
      currency: 'EUR',
      total: 1,
      items: [{ sku: 'S', quantity: 1, price: 1 }],
      created_at: '2026-11-20T10:00:00Z',
    };
    const posted = [];
    for (const payload of [order, { ...order, currency: 'eur' }])
      posted.push(
        (await app.server.inject({ method: 'POST', url: '/api/v1/pages/3300000000000003/orders', headers, payload }))
          .statusCode,
      );
    assert.deepEqual(posted, [201, 400]);
    for (const proof of [{ email }, { last_name: c.name }, { email: `x${email}` }])
      await app.server.inject({
        method: 'POST',
        url: '/api/v1/pages/3300000000000003/orders/status-check',
        headers,
        payload: { external_id: 'CANARY-1', ...proof },
      });

    const values = [c.psid, c.name, c.text, c.pageToken, app.ownerToken, email, c.text.slice(0, 40)];
    assert.deepEqual(findInFiles(sqliteFiles(app.database.file!), values), []);
    const logs = app.logs.text();
    assert.ok(logs.length > 0, 'the app logged something');
    for (const v of values) assert.equal(logs.includes(v), false, `the log holds ${v}`);
  } finally {
    await app.close();
  }
});
