import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  AGENT,
  PAGE_A,
  browserTestsSkipped,
  launchChromium,
  startInboxServer,
  type InboxServer,
  signIn,
} from './support.ts';

// The shell around every section: the command palette (Ctrl+K) and addresses that name the open conversation.
describe('the web app’s shell in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  const palette = () => page.getByRole('dialog', { name: 'Go to or do…' });
  const timeline = () => page.getByRole('list', { name: 'Timeline' });
  const conversations = () => page.getByRole('navigation', { name: 'Conversations' });

  before(async () => {
    server = await startInboxServer();
    await server.write(PAGE_A, '7301', 'Is the linen shirt back in stock?');
    await server.write(PAGE_A, '7302', 'Can I change my delivery address?');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(server.base);
    await signIn(page, AGENT);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds a conversation by the words of a message from the palette and opens it with Enter', async () => {
    await page.keyboard.press('Control+K');
    const input = palette().getByRole('combobox', { name: 'Command' });
    await input.fill('linen shirt');
    await palette()
      .getByRole('option', { name: /linen shirt/ })
      .waitFor();
    // Commands that do not match the words are gone; the only result is the conversation.
    assert.equal(await palette().getByRole('option', { name: 'Go to Inbox' }).count(), 0);
    await input.press('Enter');
    await timeline().getByRole('listitem', { name: 'Customer: Is the linen shirt back in stock?' }).waitFor();
    assert.match(new URL(page.url()).hash, /^#\/inbox\/[\w-]+$/);
  });

  it('acts on the open conversation from the palette: resolve', async () => {
    await page.keyboard.press('Control+K');
    await palette().getByRole('combobox', { name: 'Command' }).fill('resolve');
    await palette().getByRole('option', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
  });

  it('keeps the open conversation in the address: a reload comes back to it', async () => {
    await page.reload();
    await timeline().getByRole('listitem', { name: 'Customer: Is the linen shirt back in stock?' }).waitFor();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
  });

  it('closes with Escape and offers no conversation actions when none is open', async () => {
    await page.goto(`${server.base}/#/inbox`);
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
    await page.getByRole('button', { name: 'Go to or do (Ctrl+K)' }).click();
    await palette().getByRole('option', { name: 'Keyboard shortcuts' }).waitFor();
    assert.equal(await palette().getByRole('option', { name: 'Resolve' }).count(), 0);
    await page.keyboard.press('Escape');
    await palette().waitFor({ state: 'hidden' });
  });

  it('refuses a change that carries the session cookie without the page’s CSRF token, and changes nothing', async () => {
    await page.goto(`${server.base}/#/inbox`);
    await conversations()
      .getByRole('button', { name: /delivery address/ })
      .click();
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    // What a script on another page could do with the browser's cookie: the same request, without the header.
    const refused = await page.evaluate(async (conversationId) => {
      const res = await fetch(`/api/v1/conversations/${conversationId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'resolved' }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, id);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'csrf_failed');
    await page.reload();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
  });
});
