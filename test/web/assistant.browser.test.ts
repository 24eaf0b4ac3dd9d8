import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import { installHooks } from '../../src/app/modules.ts';
import { PAGE_A, browserTestsSkipped, launchChromium, startInboxServer, type InboxServer, signIn } from './support.ts';

const OWNER = { email: 'ines@example.com', password: 'a long owner passphrase' };

// An owner writes an FAQ entry, tries a message in the "try it" box and turns the assistant on, in a real browser;
// everything is found by role and accessible name.
describe('the assistant settings in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startInboxServer();
    // The assistant runs where a server runs it: as a hook of the processing transaction.
    installHooks(server.app.ctx);
    await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(server.base);
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('adds an approved entry, shows what the assistant would answer with its confidence, and turns it on', async () => {
    await page.getByRole('tab', { name: 'Assistant' }).click();
    await page.getByRole('heading', { name: 'Assistant of Demo Shop' }).waitFor();
    const form = page.getByRole('form', { name: 'Add an FAQ entry' });
    await form.getByRole('textbox', { name: 'Question' }).fill('How much is shipping?');
    await form
      .getByRole('textbox', { name: 'Other phrasings' })
      .fill('shipping cost\nfrais de port\ncuánto cuesta el envío');
    await form.getByRole('textbox', { name: 'Answer' }).fill('Shipping is free from 50 EUR.');
    await form.getByRole('checkbox', { name: 'Approved' }).check();
    await form.getByRole('button', { name: 'Add FAQ entry' }).click();
    const table = page.getByRole('table', { name: 'FAQ entries' });
    await table.getByRole('row', { name: /How much is shipping\?.*Approved/ }).waitFor();

    const tryBox = page.getByRole('form', { name: 'Try the assistant' });
    await tryBox.getByRole('textbox', { name: 'Try a message' }).fill('Combien coûtent les frais de port ?');
    await tryBox.getByRole('button', { name: 'Try it' }).click();
    const decision = page.getByRole('status', { name: 'Decision' });
    await decision.getByText(/^Answers — confidence 0\.\d\d/).waitFor();
    await decision.getByText('Shipping is free from 50 EUR.').waitFor();

    await tryBox.getByRole('textbox', { name: 'Try a message' }).fill('Can I talk to a human please');
    await tryBox.getByRole('button', { name: 'Try it' }).click();
    await decision.getByText(/^Hands over to your team/).waitFor();

    const toggle = page.getByRole('switch', { name: 'Answer people automatically' });
    assert.equal(await toggle.isChecked(), false);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/assistant') && r.request().method() === 'PATCH'),
      toggle.click({ force: true }),
    ]);
    assert.ok(res.ok(), await res.text());
    await page.getByRole('switch', { name: 'Answer people automatically', checked: true }).waitFor();
  });

  it('turns an unanswered question into an FAQ entry that the try-it box then answers, and dismisses another', async () => {
    await server.write(PAGE_A, '8401', 'Do you sell gift cards?');
    await server.write(PAGE_A, '8402', 'Is there parking near the shop?');
    await page.reload();
    const list = page.getByRole('table', { name: 'Unanswered questions' });
    await list.getByRole('row', { name: /Is there parking near the shop\?.*once/ }).waitFor();
    await list.getByRole('button', { name: 'Turn “Do you sell gift cards?” into an FAQ entry' }).click();

    const form = page.getByRole('form', { name: 'Turn a question into an FAQ entry' });
    assert.equal(await form.getByRole('textbox', { name: 'Question' }).inputValue(), 'Do you sell gift cards?');
    assert.equal(await form.getByRole('textbox', { name: 'Other phrasings' }).inputValue(), 'Do you sell gift cards?');
    await form.getByRole('textbox', { name: 'Other phrasings' }).fill('Do you sell gift cards?\ngift vouchers');
    await form.getByRole('textbox', { name: 'Answer' }).fill('Yes: gift cards from 10 to 200 EUR.');
    await form.getByRole('checkbox', { name: 'Approved' }).check();
    const [res] = await Promise.all([
      page.waitForResponse((r) => /\/assistant\/unanswered\/[^/]+\/faq$/.test(r.url())),
      form.getByRole('button', { name: 'Add FAQ entry' }).click(),
    ]);
    assert.equal(res.status(), 201, await res.text());
    await page
      .getByRole('table', { name: 'FAQ entries' })
      .getByRole('row', { name: /gift cards.*Approved/ })
      .waitFor();
    await list.getByRole('row', { name: /gift cards/ }).waitFor({ state: 'detached' });

    const tryBox = page.getByRole('form', { name: 'Try the assistant' });
    await tryBox.getByRole('textbox', { name: 'Try a message' }).fill('do you sell GIFT cards');
    await tryBox.getByRole('button', { name: 'Try it' }).click();
    const decision = page.getByRole('status', { name: 'Decision' });
    await decision.getByText(/^Answers — confidence/).waitFor();
    await decision.getByText('Yes: gift cards from 10 to 200 EUR.').waitFor();

    await list.getByRole('button', { name: 'Dismiss “Is there parking near the shop?”' }).click();
    await page.getByText('No unanswered questions.').waitFor();
  });
});
