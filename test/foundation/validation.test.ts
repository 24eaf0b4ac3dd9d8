// A request of the wrong shape is a 400 that names the field (and, for an enum, the values allowed), never a value
// coerced into another type and stored or sent; invalid UTF-8 is a 400; a method a path does not have is a 405.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { seedContact, type SeededContact } from '../support/seed.ts';

const PAGE = '3300000000000003';

for (const dialect of testDialects()) {
  describe(`request validation [${dialect}]`, () => {
    let app: TestApp;
    let c: SeededContact;
    const counts = async () => {
      const n = async (table: 'deliveries' | 'pages' | 'privacy_requests' | 'contact_links') =>
        Number(
          (
            await app.ctx.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        deliveries: await n('deliveries'),
        pages: await n('pages'),
        requests: await n('privacy_requests'),
        links: await n('contact_links'),
      };
    };
    const post = (url: string, payload: unknown) =>
      app.server.inject({ method: 'POST', url, headers: bearer(app.ownerToken), payload: payload as object });

    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE, name: 'Shapes', access_token: 'EAA-token-shapes' });
      c = await seedContact(app.ctx, PAGE, { psid: '3000000000000003', name: 'Sam Shape', text: 'hello' });
    });
    after(async () => app.close());

    it('answers 400 naming the field to wrong-typed bodies on every route that takes one, and stores nothing', async () => {
      const other = await seedContact(app.ctx, PAGE, { psid: '3000000000000004', name: 'Other Shape', text: 'hi' });
      const send = `/api/v1/contacts/${c.contactId}/messages`;
      const table: [string, unknown, RegExp][] = [
        [send, { text: 5 }, /body\/text must be string/],
        [send, { text: true }, /body\/text must be string/],
        [send, { text: ['hi'] }, /body\/text must be string/],
        [send, { text: null }, /body\/text must be string/],
        [send, { text: 'hi', author: 'bot' }, /body\/author must be one of: "agent", "automation"/],
        [send, { text: 'hi', idempotency_key: 7 }, /body\/idempotency_key must be string/],
        [send, { text: 'hi', quick_replies: 'yes' }, /body\/quick_replies must be array/],
        [send, { attachment: 'a picture' }, /body\/attachment must be object/],
        [send, { text: 'hi', colour: 'red' }, /body\/colour is not a known property/],
        ['/api/v1/pages', { id: 123, name: 'P', access_token: 'EAA-x' }, /body\/id must be string/],
        ['/api/v1/pages', { id: '4400000000000004', name: false, access_token: 'EAA-x' }, /body\/name must be string/],
        ['/api/v1/pages', { id: '4400000000000004', name: 'P' }, /body\/access_token is required/],
        ['/api/v1/privacy/requests', { type: 'access', contact_id: 5 }, /body\/contact_id must be string/],
        [
          '/api/v1/privacy/requests',
          { type: 'forget', contact_id: c.contactId },
          /body\/type must be one of: "access", "erasure", "rectification"/,
        ],
        [`/api/v1/contacts/${c.contactId}/merge`, { into: 5 }, /body\/into must be string/],
      ];
      const before = await counts();
      for (const [url, body, message] of table) {
        const r = await post(url, body);
        assert.equal(r.statusCode, 400, `${url} ${JSON.stringify(body)}`);
        assert.equal(r.json().error.code, 'validation_failed');
        assert.match(r.json().error.message, message);
      }
      assert.deepEqual(await counts(), before);
      // The same routes with the right types work: the refusals above were about the types alone.
      assert.equal((await post(send, { text: '5' })).statusCode, 202);
      assert.equal((await post(`/api/v1/contacts/${other.contactId}/merge`, { into: c.contactId })).statusCode, 200);
    });

    it('parses numbers in query strings and names a query parameter of the wrong shape', async () => {
      const ok = await app.server.inject({
        url: `/api/v1/pages/${PAGE}/contacts?limit=1`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().data.length, 1);
      const word = await app.server.inject({
        url: `/api/v1/pages/${PAGE}/contacts?limit=ten`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(word.statusCode, 400);
      assert.match(word.json().error.message, /querystring\/limit must be integer/);
      const order = await app.server.inject({
        url: `/api/v1/contacts/${c.contactId}/messages?order=up`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(order.statusCode, 400);
      assert.match(order.json().error.message, /querystring\/order must be one of: "asc", "desc"/);
    });

    it('refuses a JSON body that is not valid UTF-8, and stores nothing', async () => {
      const before = await counts();
      const payload = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const r = await app.server.inject({
        method: 'POST',
        url: `/api/v1/contacts/${c.contactId}/messages`,
        headers: { ...bearer(app.ownerToken), 'content-type': 'application/json' },
        payload,
      });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error.code, 'bad_request');
      assert.match(r.json().error.message, /UTF-8/);
      assert.deepEqual(await counts(), before);
    });

    it('answers 405 with Allow to a method the path does not have, and 404 to a path that does not exist', async () => {
      const del = await app.server.inject({ method: 'DELETE', url: '/api/v1/pages', headers: bearer(app.ownerToken) });
      assert.equal(del.statusCode, 405);
      assert.equal(del.json().error.code, 'method_not_allowed');
      assert.deepEqual(del.headers.allow?.toString().split(', '), ['GET', 'HEAD', 'POST']);
      const put = await app.server.inject({ method: 'PUT', url: `/api/v1/contacts/${c.contactId}` });
      assert.equal(put.statusCode, 405);
      assert.deepEqual(put.headers.allow?.toString().split(', '), ['GET', 'HEAD']);
      assert.equal((await app.server.inject({ method: 'DELETE', url: '/webhook' })).headers.allow, 'GET, HEAD, POST');
      assert.equal((await app.server.inject({ method: 'DELETE', url: '/api/v1/no-such-thing' })).statusCode, 404);
    });
  });
}
