import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { BIN, exitOf } from '../support/cli.ts';
import { until } from './support.ts';

interface Ready {
  url: string;
  owner_token: string;
  login_url: string;
  emulator_url: string;
  pages: { id: string; name: string }[];
}

test('the sandbox shows the whole loop through the public API, and SIGINT ends it', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-'));
  const child = spawn(process.execPath, [BIN, 'sandbox', '--json', '--data-dir', dir, '--port', '0', '--rate', '20'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const lines = createInterface({ input: child.stdout });
    const ready = await new Promise<Ready>((resolve, reject) => {
      lines.once('line', (l) => resolve(JSON.parse(l) as Ready));
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${stderr}`)));
    });
    assert.equal(ready.pages.length, 2);
    // The printed link signs in as the owner, in a browser's way: a session cookie and a redirect.
    const signIn = await fetch(ready.login_url, { redirect: 'manual' });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await fetch(`${ready.url}/api/v1/me`, { headers: { cookie } })).json()) as {
      user: { role: string };
    };
    assert.equal(me.user.role, 'owner');
    const api = async (path: string, init: RequestInit = {}) =>
      fetch(`${ready.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${ready.owner_token}`,
          'content-type': 'application/json',
          ...(init.headers ?? {}),
        },
      });
    const emu = async (path: string, body?: unknown) =>
      (
        await fetch(
          `${ready.emulator_url}${path}`,
          body === undefined
            ? {}
            : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
        )
      ).json() as Promise<Record<string, unknown>>;

    // Simulated traffic fills both Pages within 30 seconds.
    for (const page of ready.pages) {
      await until(`contacts on ${page.name}`, async () => {
        const r = (await (await api(`/api/v1/pages/${page.id}/contacts`)).json()) as { data: unknown[] };
        return r.data.length > 0 ? true : undefined;
      });
    }

    // One person writes to both Pages: two contacts, two PSIDs, nothing shared.
    const person = await emu('/_emulator/users', { first_name: 'Test', last_name: 'Person' });
    const ids: { contactId: string; psid: string }[] = [];
    for (const page of ready.pages) {
      const action = await emu(`/_emulator/users/${String(person.id)}/actions`, {
        page_id: page.id,
        type: 'message',
        text: 'hello from the test',
      });
      const psid = String(action.psid);
      const contact = await until('the contact', async () => {
        const r = await api(`/api/v1/pages/${page.id}/contacts/by-psid/${psid}`);
        return r.status === 200 ? ((await r.json()) as { id: string; psid: string }) : undefined;
      });
      assert.equal(contact.psid, psid);
      ids.push({ contactId: contact.id, psid });
    }
    assert.notEqual(ids[0]!.contactId, ids[1]!.contactId);
    assert.notEqual(ids[0]!.psid, ids[1]!.psid);

    // An agent's reply reaches that person's inbox at the emulator.
    const send = await api(`/api/v1/contacts/${ids[0]!.contactId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Hi, an agent here', author: 'agent' }),
    });
    assert.equal(send.status, 202, await send.text());
    await until('the reply in the inbox', async () => {
      const inbox = (await emu(
        `/_emulator/users/${String(person.id)}/inbox?page_id=${ready.pages[0]!.id}`,
      )) as unknown as { data?: unknown[] } | unknown[];
      const items = Array.isArray(inbox) ? inbox : (inbox.data ?? []);
      return JSON.stringify(items).includes('Hi, an agent here') ? true : undefined;
    });

    // The demo automations are real rules a newcomer can list and change, and they answer the person.
    const rules = (await (await api(`/api/v1/pages/${ready.pages[1]!.id}/automations`)).json()) as {
      data: { name: string }[];
    };
    assert.ok(rules.data.some((r) => r.name === 'Opening hours'));
    await emu(`/_emulator/users/${String(person.id)}/actions`, {
      page_id: ready.pages[1]!.id,
      type: 'message',
      text: 'What are your OPENING hours?',
    });
    await until('the automated answer in the inbox', async () => {
      const inbox = (await emu(
        `/_emulator/users/${String(person.id)}/inbox?page_id=${ready.pages[1]!.id}`,
      )) as unknown as { data?: unknown[] } | unknown[];
      const items = Array.isArray(inbox) ? inbox : (inbox.data ?? []);
      return JSON.stringify(items).includes('We are open Monday to Saturday') ? true : undefined;
    });

    // The summary keeps coming while it runs.
    const summary = await new Promise<string>((resolve) => lines.once('line', resolve));
    assert.ok(JSON.parse(summary).summary.contacts_by_page);

    child.kill('SIGINT');
    assert.equal(await exitOf(child), 0, stderr);
    await assert.rejects(fetch(`${ready.url}/healthz`));
    await assert.rejects(fetch(`${ready.emulator_url}/_emulator`));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
