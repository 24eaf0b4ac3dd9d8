import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { defineAttribute } from '../../src/modules/attributes/attribute-definitions.ts';
import { readyAccount } from '../users/support.ts';
import { OWNER } from './people.ts';
import {
  AGENT,
  PAGE_A,
  browserTestsSkipped,
  launchChromium,
  startInboxServer,
  type InboxServer,
  signIn,
} from './support.ts';

// An agent tags a person and fills in their attributes from the contact sidebar, in a real browser, and finds both
// again after a reload. Everything is found by role and accessible name, as a person finds it.
describe('tags and attributes in the contact sidebar', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  const sidebar = () => page.getByRole('complementary', { name: 'Contact' });

  async function answered(url: RegExp, method: string, act: () => Promise<void>): Promise<void> {
    const [res] = await Promise.all([
      page.waitForResponse((r) => url.test(new URL(r.url()).pathname) && r.request().method() === method),
      act(),
    ]);
    assert.ok(res.ok(), `${method} ${res.url()} answered ${res.status()}: ${await res.text()}`);
  }

  async function openConversation(): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /blue kettle/ })
      .click();
    await sidebar().getByRole('region', { name: 'Tags' }).waitFor();
  }

  before(async () => {
    server = await startInboxServer();
    await server.write(PAGE_A, '8101', 'Is the blue kettle still on sale?');
    await defineAttribute(server.app.ctx, cliActor, PAGE_A, { key: 'tier', type: 'text' });
    await defineAttribute(server.app.ctx, cliActor, PAGE_A, { key: 'email', type: 'text', personal: true });
    await defineAttribute(server.app.ctx, cliActor, PAGE_A, { key: 'newsletter', type: 'boolean' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(server.base);
    await signIn(page, AGENT);
    await openConversation();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('tags the person from the sidebar', async () => {
    const tags = sidebar().getByRole('region', { name: 'Tags' });
    await tags.getByText('No tags yet.').waitFor();
    await tags.getByRole('combobox', { name: 'Add a tag' }).fill('  VIP ');
    await answered(/\/tags$/, 'POST', () => tags.getByRole('button', { name: 'Add', exact: true }).click());
    await tags.getByRole('list', { name: 'Tags' }).getByRole('listitem').filter({ hasText: 'vip' }).waitFor();
  });

  it('marks personal attributes with a lock and saves typed values', async () => {
    const form = sidebar().getByRole('form', { name: 'Attributes of this contact' });
    await form.getByRole('img', { name: 'personal: stored encrypted' }).waitFor();
    await form.getByRole('textbox', { name: 'Tier' }).fill('gold');
    await form.getByRole('textbox', { name: /^Email/ }).fill('maya@example.com');
    await form.getByRole('switch', { name: 'Newsletter' }).check({ force: true });
    await answered(/\/attributes$/, 'PATCH', () => form.getByRole('button', { name: 'Save attributes' }).click());
    await form.getByRole('button', { name: 'Save attributes' }).and(page.locator(':disabled')).waitFor();
  });

  it('finds both again after a reload', async () => {
    await page.reload();
    await openConversation();
    const tags = sidebar().getByRole('region', { name: 'Tags' });
    await tags.getByRole('list', { name: 'Tags' }).getByRole('listitem').filter({ hasText: 'vip' }).waitFor();
    const form = sidebar().getByRole('form', { name: 'Attributes of this contact' });
    assert.equal(await form.getByRole('textbox', { name: 'Tier' }).inputValue(), 'gold');
    assert.equal(await form.getByRole('textbox', { name: /^Email/ }).inputValue(), 'maya@example.com');
    assert.equal(await form.getByRole('switch', { name: 'Newsletter' }).isChecked(), true);
    if (process.env.PAGESCOPE_SCREENSHOTS) {
      await page.screenshot({ path: `${process.env.PAGESCOPE_SCREENSHOTS}/sidebar-1280.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('button', { name: 'Contact', exact: true }).click();
      await page.getByRole('dialog').getByRole('region', { name: 'Attributes' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${process.env.PAGESCOPE_SCREENSHOTS}/sidebar-390.png` });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.reload();
      await openConversation();
    }
  });

  it('takes a tag off with its remove button', async () => {
    const tags = sidebar().getByRole('region', { name: 'Tags' });
    await answered(/\/tags\/vip$/, 'DELETE', () => tags.getByRole('button', { name: 'Remove tag vip' }).click());
    await tags.getByText('No tags yet.').waitFor();
  });

  it('an owner defines an attribute in Settings, and the sidebar offers it', async () => {
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    const owner = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    owner.setDefaultTimeout(15_000);
    await owner.goto(`${server.base}/#/settings/attributes`);
    await signIn(owner, OWNER);
    const form = owner.getByRole('form', { name: 'Define an attribute' });
    await form.getByRole('textbox', { name: 'Key' }).fill('lifetime_value');
    await form.getByRole('combobox', { name: 'Type' }).click();
    await owner.getByRole('option', { name: 'Number' }).click();
    await form.getByRole('button', { name: 'Define attribute' }).click();
    const table = owner.getByRole('table', { name: 'Attributes' });
    await table
      .getByRole('row', { name: /Lifetime value/ })
      .getByText('Number')
      .waitFor();
    await table
      .getByRole('row', { name: /^Email/ })
      .getByRole('img', { name: 'personal: stored encrypted' })
      .waitFor();
    if (process.env.PAGESCOPE_SCREENSHOTS) {
      await owner.screenshot({ path: `${process.env.PAGESCOPE_SCREENSHOTS}/settings-1280.png` });
      await owner.setViewportSize({ width: 390, height: 844 });
      await owner.screenshot({ path: `${process.env.PAGESCOPE_SCREENSHOTS}/settings-390.png`, fullPage: true });
    }
    await owner.close();
    await page.reload();
    await openConversation();
    const attributes = sidebar().getByRole('form', { name: 'Attributes of this contact' });
    await attributes.getByRole('textbox', { name: 'Lifetime value' }).waitFor();
  });
});
