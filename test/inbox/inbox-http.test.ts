import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { testDialects } from '../support/db.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { routeModules } from '../../src/app/modules.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { drain, envelope, messageItem, postWebhook } from '../ingest/support.ts';
import { readyAccount } from '../users/support.ts';

const PAGE_A = '1100000000000001';
const PAGE_B = '2200000000000002';

/** A browser's session: the cookie from signing in and the CSRF token from /me. */
async function signIn(app: TestApp, email: string, password: string): Promise<Record<string, string>> {
  const login = await app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  assert.equal(login.statusCode, 200, login.body);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const me = await app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  return { cookie, 'x-csrf-token': me.json().csrf_token };
}

/** Reads Server-Sent Events from a real connection until `done` says so; returns the events seen. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  done: (events: { id: string; event: string; data: string }[]) => boolean,
  signal: AbortSignal,
) {
  const res = await fetch(url, { headers, signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: { id: string; event: string; data: string }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      if (field('data')) events.push({ id: field('id'), event: field('event'), data: field('data') });
    }
    if (done(events)) break;
  }
  return events;
}

for (const dialect of testDialects()) {
  test(`the inbox over HTTP, as a signed-in agent uses it [${dialect}]`, async (t) => {
    let app!: TestApp;
    let base = '';
    let agent: Record<string, string> = {};
    let agentId = '';
    let mid = 0;
    const write = async (pageId: string, psid: string, text: string) => {
      await postWebhook(app, envelope(pageId, [messageItem(pageId, psid, `m.http.${++mid}`, text, app.clock.now())]));
      await drain(app);
    };
    const inbox = async (query = '') =>
      (
        await app.server.inject({ method: 'GET', url: `/api/v1/pages/${PAGE_A}/conversations${query}`, headers: agent })
      ).json();
    before(async () => {
      app = await createTestApp(dialect, { routes: routeModules() });
      await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-a' });
      await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-b' });
      agentId = (
        await readyAccount(app.ctx, 'ana@example.com', 'correct horse battery', { role: 'agent', pages: [PAGE_A] })
      ).id;
      agent = await signIn(app, 'ana@example.com', 'correct horse battery');
      await app.server.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
      await write(PAGE_A, '7001', 'I need help with my order');
    });
    after(async () => app.close());

    await t.test('lists the Page’s conversations with the three tabs’ counts', async () => {
      const list = await inbox();
      assert.equal(list.data.length, 1);
      assert.deepEqual(list.counts, { mine: 0, unassigned: 1, all: 1 });
      assert.equal(list.data[0].last_message.text, 'I need help with my order');
    });

    await t.test(
      'a change made with the cookie but without the CSRF token is refused and changes nothing',
      async () => {
        const c = (await inbox()).data[0];
        const res = await app.server.inject({
          method: 'PATCH',
          url: `/api/v1/conversations/${c.id}`,
          headers: { cookie: agent.cookie! },
          payload: { assignee_id: agentId },
        });
        assert.equal(res.statusCode, 403);
        assert.equal(res.json().error.code, 'csrf_failed');
        assert.equal((await inbox()).data[0].assignee, null);
      },
    );

    await t.test(
      'assigning to oneself moves it to Mine; a stale tab’s change is a 409 that says to reload',
      async () => {
        const c = (await inbox()).data[0];
        const ok = await app.server.inject({
          method: 'PATCH',
          url: `/api/v1/conversations/${c.id}`,
          headers: { ...agent, 'if-match': `"${c.version}"` },
          payload: { assignee_id: agentId },
        });
        assert.equal(ok.statusCode, 200, ok.body);
        assert.deepEqual(ok.json().assignee, { id: agentId, email: 'ana@example.com' });
        assert.deepEqual((await inbox('?assignee=me')).counts, { mine: 1, unassigned: 0, all: 1 });
        const stale = await app.server.inject({
          method: 'PATCH',
          url: `/api/v1/conversations/${c.id}`,
          headers: { ...agent, 'if-match': `"${c.version}"` },
          payload: { status: 'resolved' },
        });
        assert.equal(stale.statusCode, 409);
        assert.match(stale.json().error.message, /changed since you loaded it/);
        assert.equal((await inbox()).data[0].status, 'open');
      },
    );

    await t.test('a malformed filter or body is a 400 naming the field', async () => {
      const bad = await app.server.inject({
        method: 'GET',
        url: `/api/v1/pages/${PAGE_A}/conversations?status=closed`,
        headers: agent,
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /status/);
      const c = (await inbox()).data[0];
      const badBody = await app.server.inject({
        method: 'PATCH',
        url: `/api/v1/conversations/${c.id}`,
        headers: agent,
        payload: { status: 'done' },
      });
      assert.equal(badBody.statusCode, 400);
      assert.match(badBody.json().error.message, /status/);
    });

    await t.test('a note is 201 and shows in the history as author note', async () => {
      const c = (await inbox()).data[0];
      const note = await app.server.inject({
        method: 'POST',
        url: `/api/v1/conversations/${c.id}/notes`,
        headers: agent,
        payload: { text: 'checked the warehouse' },
      });
      assert.equal(note.statusCode, 201, note.body);
      const history = await app.server.inject({
        method: 'GET',
        url: `/api/v1/contacts/${c.contact.id}/messages`,
        headers: agent,
      });
      assert.equal(history.json().data[0].author, 'note');
      assert.equal(history.json().data[0].text, 'checked the warehouse');
    });

    await t.test('the event stream brings a new message of its Pages and never another Page’s, ids only', async () => {
      const head = (await app.server.inject({ method: 'GET', url: '/api/v1/events', headers: agent })).json()
        .next_after;
      const stop = new AbortController();
      const reading = readEvents(
        `${base}/api/v1/events/stream?after=${head}`,
        { cookie: agent.cookie! },
        (ev) => ev.some((e) => e.event === 'message.created'),
        stop.signal,
      );
      await write(PAGE_B, '7002', 'secret of page B');
      await write(PAGE_A, '7001', 'any news?');
      const events = await reading;
      stop.abort();
      assert.ok(events.every((e) => JSON.parse(e.data).page_id === PAGE_A));
      const created = events.find((e) => e.event === 'message.created')!;
      assert.equal(created.id, String(JSON.parse(created.data).seq));
      assert.doesNotMatch(events.map((e) => e.data).join(''), /any news|7001|secret/);
    });

    await t.test('a reconnect with Last-Event-ID resumes after it, missing nothing and repeating nothing', async () => {
      const all = (await app.server.inject({ method: 'GET', url: '/api/v1/events?after=0', headers: agent })).json()
        .data as { seq: number }[];
      assert.ok(all.length >= 3);
      const from = all[all.length - 3]!.seq;
      const stop = new AbortController();
      const events = await readEvents(
        `${base}/api/v1/events/stream`,
        { cookie: agent.cookie!, 'last-event-id': String(from) },
        (ev) => ev.length >= 2,
        stop.signal,
      );
      stop.abort();
      assert.deepEqual(
        events.map((e) => Number(e.id)),
        all.slice(-2).map((e) => e.seq),
      );
    });

    await t.test('a snoozed conversation is woken by the background job and announced', async () => {
      const c = (await inbox()).data[0];
      const until_ = new Date(app.clock.now() + 3_600_000).toISOString();
      const res = await app.server.inject({
        method: 'PATCH',
        url: `/api/v1/conversations/${c.id}`,
        headers: agent,
        payload: { snoozed_until: until_ },
      });
      assert.equal(res.json().status, 'snoozed');
      app.clock.advance(3_600_000);
      const { wakeSnoozedConversations } = await import('../../src/modules/conversations/inbox-workers.ts');
      assert.equal(await wakeSnoozedConversations(app.ctx), 1);
      const woken = (await inbox()).data.find((x: { id: string }) => x.id === c.id);
      assert.equal(woken?.status, 'open');
    });
  });
}
