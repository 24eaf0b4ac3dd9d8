import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createPrivacyRequest } from '../../src/modules/privacy/create-request.ts';
import { runDueRequests } from '../../src/modules/privacy/run-requests.ts';
import { processNextCallback } from '../../src/modules/privacy/process-meta-callback.ts';
import { createSignedRequest } from '../../src/platform/signed-request.ts';
import {
  AGENT,
  PAGE_A,
  PAGE_B,
  browserTestsSkipped,
  launchChromium,
  startInboxServer,
  type InboxServer,
  signIn,
} from './support.ts';
import { OWNER, contactIdOf, giveProfiles, optIn } from './people.ts';

// The people behind the conversations, in a real browser: the contact sidebar, the contacts list, privacy requests
// and the audit log, found by role and accessible name as a person finds them.
describe('contacts, privacy requests and the audit log in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  let bruno: string;

  async function openAs(p: Page, who: { email: string; password: string }) {
    await p.goto(server.base);
    await signIn(p, who);
  }
  const section = (p: Page, name: string) =>
    p.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });

  before(async () => {
    server = await startInboxServer();
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    await server.write(PAGE_A, '8001', 'Is the green teapot back in stock?');
    await server.write(PAGE_A, '8003', 'Do you deliver on Sundays?');
    await server.write(PAGE_B, '8002', 'A question for the other shop');
    await giveProfiles(server, {
      '8001': {
        first_name: 'Maya',
        last_name: 'Okafor',
        locale: 'fr_FR',
        timezone: 1,
        profile_pic: 'https://platform-lookaside.example/maya.jpg',
      },
      '8003': { first_name: 'Jonas', last_name: 'Berg', locale: 'sv_SE', timezone: 1 },
      '8002': { first_name: 'Bruno', last_name: 'Keller', locale: 'de_DE', timezone: 1 },
    });
    await optIn(server, PAGE_A, await contactIdOf(server, PAGE_A, '8001'));
    bruno = await contactIdOf(server, PAGE_B, '8002');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the person and their consent beside the conversation', async () => {
    await openAs(page, OWNER);
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /green teapot/ })
      .click();
    const sidebar = page.getByRole('complementary', { name: 'Contact' });
    await sidebar.getByRole('heading', { name: 'Maya Okafor' }).waitFor();
    await sidebar.getByText('French (France)').waitFor();
    await sidebar.getByText('Reachable: Meta accepts messages to this person.').waitFor();
    const consent = sidebar.getByRole('region', { name: 'Consent' });
    await consent.getByText('Opted in').waitFor();
    await consent
      .getByRole('list', { name: 'Consent history' })
      .getByText(/gave marketing through Messenger’s opt-in/)
      .waitFor();
    await sidebar.getByRole('region', { name: 'Tags' }).getByText('No tags yet.').waitFor();
    await sidebar.getByRole('region', { name: 'Previous activity' }).getByText('1 from them, 0 to them').waitFor();
  });

  it('"Show PSID" reveals it only on click, and the audit log then lists that read', async () => {
    const sidebar = page.getByRole('complementary', { name: 'Contact' });
    assert.equal(await sidebar.getByText('8001').count(), 0, 'no PSID before the click');
    await sidebar.getByRole('button', { name: 'Show PSID' }).click();
    await sidebar.getByRole('group', { name: 'PSID' }).getByText('8001', { exact: true }).waitFor();
    await section(page, 'Audit log').click();
    const read = page
      .getByRole('table', { name: 'Events' })
      .getByRole('row')
      .filter({ hasText: 'Read a PSID' })
      .filter({ hasText: 'Show PSID' });
    await read.first().waitFor();
    assert.match((await read.first().textContent()) ?? '', /You \(olivia@example\.com\)/);
    assert.equal(await page.getByRole('table', { name: 'Events' }).getByText('8001').count(), 0);
  });

  it('the contacts list finds a person by name and opens their page with a link to the conversation', async () => {
    await section(page, 'Contacts').click();
    const list = page.getByRole('navigation', { name: 'Contacts' });
    await list.getByRole('button', { name: /Jonas Berg/ }).waitFor();
    await page.getByRole('textbox', { name: 'Search contacts' }).fill('oka');
    await list.getByRole('button', { name: /Jonas Berg/ }).waitFor({ state: 'detached' });
    await list.getByRole('button', { name: /Maya Okafor/ }).click();
    const detail = page.getByRole('region', { name: 'Contact', exact: true });
    await detail.getByRole('heading', { name: 'Maya Okafor' }).waitFor();
    await detail.getByRole('link', { name: 'Open conversation' }).click();
    await page
      .getByRole('list', { name: 'Timeline' })
      .getByRole('listitem', { name: 'Customer: Is the green teapot back in stock?' })
      .waitFor();
  });

  it('an export request appears among the privacy requests with its due date; erasure needs the typed word', async () => {
    const sidebar = page.getByRole('complementary', { name: 'Contact' });
    await sidebar.getByRole('button', { name: 'Erase…' }).click();
    const erase = page.getByRole('dialog', { name: 'Erase Maya Okafor?' });
    assert.equal(await erase.getByRole('button', { name: 'Erase this person' }).isDisabled(), true);
    await erase.getByRole('textbox', { name: 'Type erase to confirm' }).fill('erase');
    assert.equal(await erase.getByRole('button', { name: 'Erase this person' }).isDisabled(), false);
    await erase.getByRole('button', { name: 'Cancel' }).click();
    await sidebar.getByRole('button', { name: 'Export data' }).click();
    await page
      .getByRole('dialog', { name: 'Export Maya Okafor’s data?' })
      .getByRole('button', { name: 'Open access request' })
      .click();
    await sidebar
      .getByRole('status')
      .getByText(/^Export requested: due/)
      .waitFor();
    const request = await server.app.ctx.db.selectFrom('privacy_requests').selectAll().executeTakeFirstOrThrow();
    const due = new Date(request.due_at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
    await section(page, 'Privacy requests').click();
    const row = page.getByRole('table', { name: 'Requests' }).getByRole('row').filter({ hasText: 'Access (export)' });
    await row
      .getByText(`Due ${due}`)
      .or(row.getByText(/^Due in \d+ days?$/))
      .first()
      .waitFor();
    await row.getByText('Pending').waitFor();
    await row.getByRole('link', { name: 'Open contact' }).waitFor();
  });

  it('marks an overdue request, extends a deadline once after confirmation, and downloads a completed export', async () => {
    const { ctx } = server.app;
    const jonas = await contactIdOf(server, PAGE_A, '8003');
    await createPrivacyRequest(ctx, cliActor, { type: 'erasure', contact_id: jonas }, 'cli');
    await ctx.db
      .updateTable('privacy_requests')
      .set({ due_at: ctx.clock.now() - 2 * 86_400_000 - 60_000 })
      .where('contact_id', '=', jonas)
      .execute();
    await page.reload();
    const table = page.getByRole('table', { name: 'Requests' });
    await table.getByRole('row').filter({ hasText: 'Erasure' }).getByText('Overdue by 2 days').waitFor();

    const access = table.getByRole('row').filter({ hasText: 'Access (export)' });
    await access.getByRole('button', { name: 'Extend…' }).click();
    await page
      .getByRole('dialog', { name: 'Extend the deadline?' })
      .getByRole('button', { name: 'I told the person: extend' })
      .click();
    await access.getByText('(extended)').waitFor();
    assert.equal(await access.getByRole('button', { name: 'Extend…' }).count(), 0, 'the law allows one extension');

    await ctx.db.deleteFrom('privacy_requests').where('contact_id', '=', jonas).execute();
    await runDueRequests(ctx);
    await page.getByLabel('Request status', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Completed' }).click();
    const done = table.getByRole('row').filter({ hasText: 'Access (export)' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      done.getByRole('button', { name: 'Download export' }).click(),
    ]);
    const maya = await contactIdOf(server, PAGE_A, '8001');
    assert.equal(download.suggestedFilename(), `${maya}.json`);
    const file = await download.path();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { psid: string };
    assert.equal(doc.psid, '8001');
    await section(page, 'Audit log').click();
    await page.getByRole('table', { name: 'Events' }).getByText('Downloaded a data export').waitFor();
  });

  it('erases a person once "erase" is typed: they leave the contacts list and their page says so', async () => {
    const jonas = await contactIdOf(server, PAGE_A, '8003');
    await page.goto(`${server.base}/#/contacts/${jonas}`);
    const detail = page.getByRole('region', { name: 'Contact', exact: true });
    await detail.getByRole('button', { name: 'Erase…' }).click();
    const erase = page.getByRole('dialog', { name: 'Erase Jonas Berg?' });
    await erase.getByRole('textbox', { name: 'Type erase to confirm' }).fill('erase');
    await erase.getByRole('button', { name: 'Erase this person' }).click();
    await detail
      .getByRole('status')
      .getByText(/^Erasure requested: due/)
      .waitFor();
    await runDueRequests(server.app.ctx);
    await page.reload();
    await detail.getByText('This contact does not exist, was erased, or belongs to a Page you cannot see.').waitFor();
    const list = page.getByRole('navigation', { name: 'Contacts' });
    await list.getByRole('button', { name: /Maya Okafor/ }).waitFor();
    assert.equal(await list.getByRole('button', { name: /Jonas Berg/ }).count(), 0);
  });

  it('settles a deletion request from Meta awaiting review, showing its app-scoped id on purpose', async () => {
    const { app } = server;
    const signed = createSignedRequest(
      { user_id: '4242', algorithm: 'HMAC-SHA256', issued_at: Math.floor(app.clock.now() / 1000) },
      'test-app-secret',
    );
    const callback = await app.server.inject({
      method: 'POST',
      url: '/meta/data-deletion',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `signed_request=${encodeURIComponent(signed)}`,
    });
    assert.equal(callback.statusCode, 200);
    await processNextCallback(app.ctx, null);
    await section(page, 'Privacy requests').click();
    await page.getByLabel('Request status', { exact: true }).first().click();
    await page.getByRole('option', { name: 'Open' }).click();
    const row = page.getByRole('table', { name: 'Requests' }).getByRole('row').filter({ hasText: 'Awaiting review' });
    await row.getByText(/Meta asked for a deletion/).waitFor();
    await row.getByRole('button', { name: 'Resolve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve the request' });
    await dialog.getByRole('button', { name: 'Show the app-scoped id' }).click();
    await dialog.getByRole('group', { name: 'App-scoped id' }).getByText('4242', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Nothing is held: resolve' }).click();
    await row.waitFor({ state: 'detached' });
    await section(page, 'Audit log').click();
    const events = page.getByRole('table', { name: 'Events' });
    await events.getByText('Read a PSID').first().waitFor();
    assert.equal(
      await events.getByText('Settled a request awaiting review').count(),
      0,
      'no Page: not under This Page',
    );
    await page.getByLabel('Pages', { exact: true }).first().click();
    await page.getByRole('option', { name: 'All Pages' }).click();
    await events.getByText('Settled a request awaiting review').waitFor();
    await events.getByText('Read an app-scoped id').waitFor();
  });

  it('an agent of Page A never sees Page B’s contacts, nor privacy requests, the audit log or a PSID', async () => {
    const agent = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    agent.setDefaultTimeout(15_000);
    try {
      await openAs(agent, AGENT);
      assert.equal(await section(agent, 'Privacy requests').count(), 0);
      assert.equal(await section(agent, 'Audit log').count(), 0);
      await section(agent, 'Contacts').click();
      const list = agent.getByRole('navigation', { name: 'Contacts' });
      await list.getByRole('button', { name: /Maya Okafor/ }).waitFor();
      assert.equal(await list.getByRole('button', { name: /Bruno Keller/ }).count(), 0);
      await agent.getByRole('textbox', { name: 'Search contacts' }).fill('Bruno');
      await list.getByText('Nobody named “Bruno”.').waitFor();
      await agent.goto(`${server.base}/#/contacts/${bruno}`);
      await agent.getByText('This contact does not exist, was erased, or belongs to a Page you cannot see.').waitFor();
      await agent.goto(`${server.base}/#/contacts/${await contactIdOf(server, PAGE_A, '8001')}`);
      const detail = agent.getByRole('region', { name: 'Contact', exact: true });
      await detail.getByRole('heading', { name: 'Maya Okafor' }).waitFor();
      assert.equal(await detail.getByRole('button', { name: 'Show PSID' }).count(), 0);
      assert.equal(await detail.getByRole('button', { name: 'Export data' }).count(), 0);
    } finally {
      await agent.close();
    }
  });
});
