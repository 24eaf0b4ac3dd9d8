import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import { installHooks } from '../../src/app/modules.ts';
import { until } from '../support/until.ts';
import { PAGE_A, browserTestsSkipped, launchChromium, startInboxServer, type InboxServer, signIn } from './support.ts';

const OWNER = { email: 'olga@example.com', password: 'a long owner passphrase' };

// An owner writes an automation rule in the settings screen of a real browser; a person's message then gets its
// reply through the outbox. Everything is found by role and accessible name.
describe('automation rules in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;

  async function answered(url: RegExp, method: string, act: () => Promise<void>): Promise<void> {
    const [res] = await Promise.all([
      page.waitForResponse((r) => url.test(new URL(r.url()).pathname) && r.request().method() === method),
      act(),
    ]);
    assert.ok(res.ok(), `${method} ${res.url()} answered ${res.status()}: ${await res.text()}`);
  }
  const automated = async () =>
    (
      await server.app.ctx.db
        .selectFrom('deliveries')
        .select('id')
        .where('author', '=', 'automation')
        .where('page_id', '=', PAGE_A)
        .execute()
    ).length;

  before(async () => {
    server = await startInboxServer();
    // The rules run where a server runs them: as a hook of the processing transaction.
    installHooks(server.app.ctx);
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(server.base);
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Automation rules' }).click();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a regex that could backtrack without end, saying which keyword', async () => {
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Slow');
    await form.getByRole('combobox', { name: 'Match' }).selectOption('regex');
    await form.getByRole('textbox', { name: 'Keywords' }).fill('(a+)+$');
    await form.getByRole('textbox', { name: 'Reply' }).fill('never');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('alert').filter({ hasText: 'trigger.keywords[0]' }).waitFor();
  });

  it('adds a keyword rule that answers a person, then switches it off', async () => {
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Hours');
    await form.getByRole('combobox', { name: 'Match' }).selectOption('contains');
    await form.getByRole('textbox', { name: 'Keywords' }).fill('opening hours, horaires');
    await form.getByRole('textbox', { name: 'Reply' }).fill('We open at 9.');
    await answered(/\/automations$/, 'POST', () => form.getByRole('button', { name: 'Add rule' }).click());
    const row = page.getByRole('table', { name: 'Automation rules' }).getByRole('row', { name: /Hours/ });
    await row.getByText('reply “We open at 9.”', { exact: false }).waitFor();

    await server.write(PAGE_A, '8301', 'What are your OPENING hours?');
    assert.equal(await automated(), 1);

    await answered(/\/automations\/[^/]+$/, 'PATCH', () =>
      row.getByRole('switch', { name: 'Rule Hours on' }).click({ force: true }),
    );
    await until('the switch off', async () =>
      (await row.getByRole('switch', { name: 'Rule Hours on' }).isChecked()) ? undefined : true,
    );
    await server.write(PAGE_A, '8302', 'opening hours?');
    assert.equal(await automated(), 1);
  });

  it('edits the reply and hands over to a person', async () => {
    await page.getByRole('button', { name: 'Edit Hours' }).click();
    const form = page.getByRole('form', { name: 'Edit rule Hours' });
    await form.getByRole('textbox', { name: 'Reply' }).fill('We open at 10.');
    await form.getByRole('checkbox', { name: 'Hand the conversation over to a person' }).check();
    await answered(/\/automations\/[^/]+$/, 'PATCH', () => form.getByRole('button', { name: 'Save rule' }).click());
    const row = page.getByRole('table', { name: 'Automation rules' }).getByRole('row', { name: /Hours/ });
    await row.getByText('reply “We open at 10.”, then handover', { exact: false }).waitFor();
  });

  it('takes a conversation over from the bot in the inbox, and hands it back', async () => {
    const row = page.getByRole('table', { name: 'Automation rules' }).getByRole('row', { name: /Hours/ });
    await answered(/\/automations\/[^/]+$/, 'PATCH', () =>
      row.getByRole('switch', { name: 'Rule Hours on' }).click({ force: true }),
    );
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Inbox' }).click();
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /opening hours\?/ })
      .click();
    await page.getByText('Bot answering').waitFor();
    await answered(/\/conversations\/[^/]+$/, 'PATCH', () => page.getByRole('button', { name: 'Take over' }).click());
    await page.getByText('People answering').waitFor();
    const before = await automated();
    await server.write(PAGE_A, '8302', 'opening hours, please?');
    assert.equal(await automated(), before);
    // The agent sees the message come in, and hands back all the same: the bot answers from now.
    await page.getByRole('region', { name: 'Conversation history' }).getByText('opening hours, please?').waitFor();
    await answered(/\/conversations\/[^/]+$/, 'PATCH', () =>
      page.getByRole('button', { name: 'Hand back to the bot' }).click(),
    );
    await page.getByText('Bot answering').waitFor();
    await server.write(PAGE_A, '8302', 'opening hours on Sunday?');
    assert.equal(await automated(), before + 1);
  });
});
