import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import {
  AGENT,
  PAGE_A,
  browserTestsSkipped,
  launchChromium,
  startInboxServer,
  type InboxServer,
  signIn,
} from './support.ts';

const OWNER = { email: 'olga@example.com', password: 'a long owner passphrase' };

// An owner runs the settings screen in a real browser; an agent then sees only what they may read, read-only.
// Everything is found by role and accessible name.
describe('the settings screen in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  const tab = (name: string) => page.getByRole('tab', { name });

  /** Does what changes something and waits for the server's answer to it, which must be a success. */
  async function answered(url: RegExp, method: string, act: () => Promise<void>): Promise<void> {
    const [res] = await Promise.all([
      page.waitForResponse((r) => url.test(new URL(r.url()).pathname) && r.request().method() === method),
      act(),
    ]);
    assert.ok(res.ok(), `${method} ${res.url()} answered ${res.status()}: ${await res.text()}`);
  }

  async function openSettingsAs(as: { email: string; password: string }): Promise<void> {
    await page.goto(server.base);
    await signIn(page, as);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
  }

  before(async () => {
    server = await startInboxServer();
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await openSettingsAs(OWNER);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows each Page's token state in words", async () => {
    await tab('Pages').click();
    const shop = page.getByRole('region', { name: 'Page Demo Shop' });
    await shop.getByText('Token working').waitFor();
    await shop.getByRole('button', { name: 'Replace token or rename' }).waitFor();
  });

  it('adds a team member and shows the one-time sign-in link once', async () => {
    await tab('Team members').click();
    const form = page.getByRole('form', { name: 'Add a team member' });
    await form.getByRole('textbox', { name: 'Email' }).fill('new.agent@example.com');
    await form.getByRole('button', { name: 'Add member' }).click();
    const link = page.getByRole('textbox', { name: 'One-time sign-in link' });
    assert.match(await link.inputValue(), /\/login\/psl_[A-Za-z0-9_-]+$/);
    await page
      .getByRole('table', { name: 'Team members' })
      .getByRole('row', { name: /new\.agent@example\.com/ })
      .getByText('Invited')
      .waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await link.waitFor({ state: 'detached' });
  });

  it("changes a member's role and Pages, then disables them after a confirmation", async () => {
    const row = page.getByRole('row', { name: /new\.agent@example\.com/ });
    await row.getByRole('combobox', { name: 'Role of new.agent@example.com' }).click();
    // Each change is answered before the next is made, as a person waits for the screen to show it.
    await answered(/\/api\/v1\/users\/[^/]+$/, 'PATCH', () => page.getByRole('option', { name: 'analyst' }).click());
    await row.getByRole('button', { name: 'Actions for new.agent@example.com' }).click();
    await page.getByRole('menuitem', { name: 'Change Pages…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pages of new.agent@example.com' });
    await dialog.getByRole('checkbox', { name: 'Demo Shop' }).check();
    await answered(/\/api\/v1\/users\/[^/]+$/, 'PATCH', () =>
      dialog.getByRole('button', { name: 'Save Pages' }).click(),
    );
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: 'Demo Shop' }).waitFor();
    await row.getByRole('button', { name: 'Actions for new.agent@example.com' }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const confirmDisable = page.getByRole('dialog', { name: 'Disable new.agent@example.com?' });
    await answered(/\/disable$/, 'POST', () => confirmDisable.getByRole('button', { name: 'Disable' }).click());
    await confirmDisable.waitFor({ state: 'hidden' });
    await row.getByText('Disabled').waitFor();
    // Emails are stored sealed: the member added last is the newest id.
    const account = await server.app.ctx.db
      .selectFrom('users')
      .select(['role', 'pages', 'disabled_at'])
      .where(
        'id',
        '=',
        (await server.app.ctx.db.selectFrom('users').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id,
      )
      .executeTakeFirstOrThrow();
    assert.equal(account.role, 'analyst');
    assert.deepEqual(JSON.parse(account.pages!), [PAGE_A]);
    assert.notEqual(account.disabled_at, null);
  });

  it('creates an API token (shown once) and revokes it after a confirmation', async () => {
    await tab('API tokens').click();
    const form = page.getByRole('form', { name: 'Create an API token' });
    await form.getByRole('textbox', { name: 'Token name' }).fill('CRM sync');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByRole('textbox', { name: 'API token' }).inputValue();
    assert.match(secret, /^psk_/);
    const ok = await page.request.get(`${server.base}/api/v1/pages`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(ok.status(), 200, 'the token works');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await page.getByRole('dialog', { name: 'Revoke CRM sync?' }).getByRole('button', { name: 'Revoke token' }).click();
    const row = page.getByRole('row', { name: /CRM sync/ });
    await row.getByText('revoked').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Revoke CRM sync' }).count(), 0);
    const refused = await page.request.get(`${server.base}/api/v1/pages`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(refused.status(), 401, 'the revoked token is refused');
  });

  it('adds a canned response, and refuses a shortcut the Page already has', async () => {
    await tab('Canned responses').click();
    await page.getByRole('heading', { name: 'Canned responses of Demo Shop' }).waitFor();
    const form = page.getByRole('form', { name: 'Add a canned response' });
    await form.getByRole('textbox', { name: 'Shortcut' }).fill('/Welcome');
    await form.getByRole('textbox', { name: 'Text' }).fill('Hi {{contact.first_name|there}}, thanks for writing!');
    await form.getByRole('button', { name: 'Add canned response' }).click();
    const table = page.getByRole('table', { name: 'Canned responses' });
    await table.getByText('/welcome', { exact: true }).waitFor();
    await table.getByText('Hi {{contact.first_name|there}}, thanks for writing!').waitFor();
    await form.getByRole('textbox', { name: 'Shortcut' }).fill('welcome');
    await form.getByRole('textbox', { name: 'Text' }).fill('A second one');
    await form.getByRole('button', { name: 'Add canned response' }).click();
    await form.getByRole('alert').waitFor();
    assert.equal(await table.getByText('A second one').count(), 0);
  });

  it('adds a label to the Page chosen in the header', async () => {
    await tab('Labels').click();
    await page.getByRole('heading', { name: 'Labels of Demo Shop' }).waitFor();
    await page.getByRole('textbox', { name: 'Label name' }).fill('VIP');
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.getByRole('table', { name: 'Labels' }).getByText('VIP').waitFor();
    const rows = await server.app.ctx.db.selectFrom('page_labels').select(['page_id', 'name']).execute();
    assert.deepEqual(rows, [{ page_id: PAGE_A, name: 'VIP' }]);
  });

  it('adds an opt-out keyword of the Page; the built-in ones are shown read-only', async () => {
    await tab('Opt-out keywords').click();
    await page.getByRole('region', { name: 'Built-in keywords' }).getByText('STOP', { exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'Opt-out keywords of this Page' }).fill('No more');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Save keywords' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const rows = await server.app.ctx.db
      .selectFrom('page_consent_keywords')
      .select(['page_id', 'keyword', 'kind'])
      .execute();
    assert.deepEqual(rows, [{ page_id: PAGE_A, keyword: 'NO MORE', kind: 'opt_out' }]);
  });

  it('shows an agent the Pages, canned responses, labels and keywords read-only, and no team members or API tokens', async () => {
    await page.context().clearCookies();
    await openSettingsAs(AGENT);
    await tab('Pages').waitFor();
    assert.equal(await tab('Team members').count(), 0);
    assert.equal(await tab('API tokens').count(), 0);
    await page.getByRole('region', { name: 'Page Demo Shop' }).getByText('Token working').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Replace token or rename' }).count(), 0);
    await tab('Canned responses').click();
    await page.getByRole('table', { name: 'Canned responses' }).getByText('/welcome').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add canned response' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Edit /welcome' }).count(), 0);
    await tab('Labels').click();
    await page.getByRole('table', { name: 'Labels' }).getByText('VIP').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add label' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete VIP' }).count(), 0);
    await tab('Opt-out keywords').click();
    await page.getByRole('form', { name: 'Keywords of this Page' }).getByText('NO MORE').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Opt-out keywords of this Page' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Save keywords' }).count(), 0);
  });
});
