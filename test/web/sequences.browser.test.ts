import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import { installHooks } from '../../src/app/modules.ts';
import { sendDueSteps } from '../../src/modules/sequences/sequence-sender.ts';
import { PAGE_A, browserTestsSkipped, launchChromium, startInboxServer, type InboxServer, signIn } from './support.ts';

const OWNER = { email: 'omar@example.com', password: 'a long owner passphrase' };

// An owner writes a follow-up sequence in the settings screen of a real browser, an automation rule subscribes a
// person who wrote its keyword, and the sequence's subscribers and figures show what went out. Everything is found
// by role and accessible name.
describe('follow-up sequences in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startInboxServer();
    installHooks(server.app.ctx);
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(server.base);
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Sequences' }).click();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a step with an unknown variable, saying which step', async () => {
    const form = page.getByRole('form', { name: 'Add a sequence' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Typo');
    await form
      .getByRole('group', { name: 'Step 1' })
      .getByRole('textbox', { name: 'Message' })
      .fill('Hi {{contact.frist_name}}');
    await form.getByRole('button', { name: 'Add sequence' }).click();
    await form.getByRole('alert').filter({ hasText: 'steps[0].message' }).waitFor();
  });

  it('adds a sequence of two steps, and shows what it sent to the person a rule subscribed', async () => {
    const form = page.getByRole('form', { name: 'Add a sequence' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Welcome');
    await form
      .getByRole('group', { name: 'Step 1' })
      .getByRole('textbox', { name: 'Message' })
      .fill('Hi {{contact.first_name|there}}!');
    await form.getByRole('button', { name: 'Add a step' }).click();
    const second = form.getByRole('group', { name: 'Step 2' });
    await second.getByRole('textbox', { name: 'Message' }).fill('How was it?');
    await second.getByRole('checkbox', { name: /Only send on some days/ }).check();
    await second.getByRole('textbox', { name: 'From' }).fill('10:00');
    await form.getByRole('button', { name: 'Add sequence' }).click();
    const row = page.getByRole('table', { name: 'Sequences' }).getByRole('row', { name: /Welcome/ });
    await row.getByText('2. after 24 h (Mon, Tue, Wed, Thu, Fri, 10:00–18:00)', { exact: false }).waitFor();

    // A rule, written in the Rules tab, starts it for whoever writes "welcome"; the sender sends the first step.
    await page.getByRole('tab', { name: 'Automation rules' }).click();
    const ruleForm = page.getByRole('form', { name: 'Add a rule' });
    await ruleForm.getByRole('textbox', { name: 'Name' }).fill('welcome');
    await ruleForm.getByRole('textbox', { name: 'Keywords' }).fill('welcome');
    await ruleForm.getByRole('combobox', { name: 'Start a follow-up sequence' }).selectOption({ label: 'Welcome' });
    await ruleForm.getByRole('button', { name: 'Add rule' }).click();
    await page
      .getByRole('table', { name: 'Automation rules' })
      .getByRole('row', { name: /welcome/ })
      .getByText('start the sequence “Welcome”', { exact: false })
      .waitFor();
    await server.write(PAGE_A, '8401', 'welcome me please');
    assert.equal((await sendDueSteps(server.app.ctx)).queued, 1);
    await page.getByRole('tab', { name: 'Sequences' }).click();

    await row.getByRole('button', { name: 'Subscribers of Welcome' }).click();
    const view = page.getByRole('region', { name: 'Subscribers of Welcome' });
    await view.getByText('In it now: 1').waitFor();
    const figures = view.getByRole('table', { name: 'Figures per step' });
    assert.deepEqual(await figures.getByRole('row').nth(1).getByRole('cell').allTextContents(), [
      '1',
      '0',
      '1',
      '0',
      '0',
      '0',
      '0',
      '—',
    ]);
    await view
      .getByRole('table', { name: 'Subscribers' })
      .getByRole('cell', { name: /^2, due / })
      .waitFor();
  });
});
