import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, until, type RunningSandbox } from './support.ts';

interface User {
  id: string;
  first_name: string;
  last_name: string;
}

test(
  'a restarted sandbox meets the same people with the same PSIDs, reaches earlier contacts and keeps its token; --reset starts over',
  { timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-continues-'));
    const running: RunningSandbox[] = [];
    try {
      // First run: simulated people write in, and one more person writes to the first Page.
      const first = await startSandbox(dir, ['--rate', '20']);
      running.push(first);
      const page = first.ready.pages[0]!;
      await until('contacts from the simulated people', async () => {
        const r = (await (await first.api(`/api/v1/pages/${page.id}/contacts`)).json()) as { data: unknown[] };
        return r.data.length > 0 ? true : undefined;
      });
      const person = (await first.emu('/_emulator/users', {
        first_name: 'Returning',
        last_name: 'Customer',
      })) as unknown as User;
      const wrote = await first.emu(`/_emulator/users/${person.id}/actions`, {
        page_id: page.id,
        type: 'message',
        text: 'is my order on its way?',
      });
      const psid = String(wrote.psid);
      const contact = await until('the contact', async () => {
        const r = await first.api(`/api/v1/pages/${page.id}/contacts/by-psid/${psid}`);
        return r.status === 200 ? ((await r.json()) as { id: string }) : undefined;
      });
      const people1 = ((await first.emu('/_emulator/users')).data as User[]).map(
        (u) => `${u.id} ${u.first_name} ${u.last_name}`,
      );
      assert.equal(await first.stop(), 0, first.stderr());

      // Second run on the same data dir, without traffic so that only the test acts.
      const second = await startSandbox(dir, ['--rate', '0']);
      running.push(second);
      assert.equal(second.ready.owner_token, first.ready.owner_token, 'the token printed last time is printed again');
      assert.equal((await second.api('/api/v1/pages')).status, 200, 'and it still opens the API');
      const people2 = ((await second.emu('/_emulator/users')).data as User[]).map(
        (u) => `${u.id} ${u.first_name} ${u.last_name}`,
      );
      assert.deepEqual(
        people2.filter((p) => people1.includes(p)).sort(),
        [...people1].sort(),
        'the same people, with the same names',
      );

      // The README's reply step: an agent answers the earlier contact, and the answer is sent, not refused by Meta.
      const send = await second.api(`/api/v1/contacts/${contact.id}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text: 'Yes, it ships today.', author: 'agent' }),
      });
      const sent = await send.text();
      assert.equal(send.status, 202, sent);
      const deliveryId = (JSON.parse(sent) as { delivery: { id: string } }).delivery.id;
      const delivery = await until('the delivery to settle', async () => {
        const d = (await (await second.api(`/api/v1/deliveries/${deliveryId}`)).json()) as {
          status: string;
          error?: { code: string };
        };
        return ['queued', 'sending'].includes(d.status) ? undefined : d;
      });
      assert.ok(['sent', 'delivered', 'read'].includes(delivery.status), JSON.stringify(delivery));
      const inbox = (await second.emu(`/_emulator/users/${person.id}/inbox?page_id=${page.id}`)).data as {
        text?: string;
      }[];
      assert.ok(inbox.some((m) => m.text === 'Yes, it ships today.'));
      // Writing again, the person still has the same PSID on that Page.
      const again = await second.emu(`/_emulator/users/${person.id}/actions`, {
        page_id: page.id,
        type: 'message',
        text: 'thanks!',
      });
      assert.equal(String(again.psid), psid);
      assert.equal(statSync(join(dir, 'sandbox.json')).mode & 0o777, 0o600, 'the file keeping the token is private');
      assert.equal(await second.stop(), 0, second.stderr());

      // --reset: new Pages, new people, and the old token is refused.
      const fresh = await startSandbox(dir, ['--rate', '0', '--reset']);
      running.push(fresh);
      assert.notEqual(fresh.ready.owner_token, first.ready.owner_token);
      assert.equal((await fresh.api('/api/v1/pages', {}, first.ready.owner_token)).status, 401);
      assert.notDeepEqual(
        fresh.ready.pages.map((p) => p.id),
        first.ready.pages.map((p) => p.id),
      );
      const people3 = ((await fresh.emu('/_emulator/users')).data as User[]).map((u) => u.id);
      assert.equal(people3.includes(person.id), false);
      assert.equal(await fresh.stop(), 0, fresh.stderr());
    } finally {
      for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
