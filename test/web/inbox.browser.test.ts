import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { linkToken } from '../users/support.ts';
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

// An agent works the inbox in a real browser (Debian's Chromium through playwright-core) against a real server:
// every element is found by its role and accessible name, and every wait is Playwright's own auto-waiting.
describe('the web inbox in a browser', { skip: browserTestsSkipped() }, () => {
  let server: InboxServer;
  let browser: Browser;
  let page: Page;
  const conversations = () => page.getByRole('navigation', { name: 'Conversations' });
  const timeline = () => page.getByRole('list', { name: 'Timeline' });

  before(async () => {
    server = await startInboxServer();
    await server.write(PAGE_B, '7002', 'secret of page B');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a wrong password with a generic message, then signs in by the form’s labels', async () => {
    await page.goto(server.base);
    await page.getByRole('textbox', { name: 'Email' }).fill(AGENT.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That email and password do not match an active account.').waitFor();
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(AGENT.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor();
  });

  it('shows a message a person writes without a reload', async () => {
    await server.write(PAGE_A, '7001', 'I need help with my order');
    await conversations()
      .getByRole('button', { name: /I need help with my order/ })
      .waitFor();
  });

  it('opens the conversation with the window as it is, and a reply shows in the timeline', async () => {
    await conversations()
      .getByRole('button', { name: /I need help with my order/ })
      .click();
    await timeline().getByRole('listitem', { name: 'Customer: I need help with my order' }).waitFor();
    await page
      .getByRole('status', { name: 'Messaging window' })
      .getByText(/^Standard window: 2\d h \d+ m left$/)
      .waitFor();
    await page.getByRole('textbox', { name: 'Reply' }).fill('Your order ships today');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await timeline().getByRole('listitem', { name: 'Agent: Your order ships today' }).waitFor();
  });

  it('shows a button the person pressed in the timeline and the list, by its title', async () => {
    await server.press(PAGE_A, '7001', 'Track my order', 'TRACK_ORDER');
    await timeline()
      .getByRole('listitem', { name: 'Customer: pressed “Track my order”' })
      .getByText('Pressed a button')
      .waitFor();
    await conversations()
      .getByRole('button', { name: /Pressed “Track my order”/ })
      .waitFor();
  });

  it('adds a note from the keyboard (n), distinct from the replies', async () => {
    await page.getByRole('textbox', { name: 'Reply' }).press('Escape');
    await page.keyboard.press('n');
    const note = page.getByRole('textbox', { name: 'Note (only your team sees it)' });
    await note.fill('checked the warehouse');
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline().getByRole('listitem', { name: 'Note: checked the warehouse' }).waitFor();
  });

  it('assigns to me (a) and resolves; a new message from the person reopens it, live', async () => {
    await page.getByRole('textbox', { name: /Note/ }).press('Escape');
    await page.keyboard.press('a');
    await page.getByText('Assigned to you').waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    await server.write(PAGE_A, '7001', 'One more question');
    await timeline().getByRole('listitem', { name: 'Customer: One more question' }).waitFor();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
  });

  it('after 24 hours, shows the human agent window and asks once before the first HUMAN_AGENT reply', async () => {
    const now = server.app.clock.now();
    server.app.clock.t = now - 2 * 86_400_000;
    await server.write(PAGE_A, '7003', 'Still waiting for the refund');
    server.app.clock.t = now;
    await conversations()
      .getByRole('button', { name: /Still waiting for the refund/ })
      .click();
    await page
      .getByRole('status', { name: 'Messaging window' })
      .getByText(/^Human agent window: [45] d left — replies go as HUMAN_AGENT$/)
      .waitFor();
    await page.getByRole('textbox', { name: 'Reply' }).fill('The refund left today');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page
      .getByRole('alertdialog', { name: 'Confirm human agent reply' })
      .getByRole('button', { name: 'Send as HUMAN_AGENT' })
      .click();
    await timeline().getByRole('listitem', { name: 'Agent: The refund left today' }).waitFor();
    await page.getByRole('textbox', { name: 'Reply' }).fill('And the receipt is in your email');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await timeline().getByRole('listitem', { name: 'Agent: And the receipt is in your email' }).waitFor();
  });

  it('after 7 days, says the window is closed and why, and allows notes only', async () => {
    const now = server.app.clock.now();
    server.app.clock.t = now - 8 * 86_400_000;
    await server.write(PAGE_A, '7004', 'Hello from last week');
    server.app.clock.t = now;
    await conversations()
      .getByRole('button', { name: /Hello from last week/ })
      .click();
    const window = page.getByRole('status', { name: 'Messaging window' });
    await window.getByText('Closed', { exact: true }).waitFor();
    await window.getByText(/Messenger accepts no reply until they write again/).waitFor();
    assert.equal(await page.getByRole('radio', { name: 'Reply' }).isDisabled(), true);
    await page.getByRole('textbox', { name: /Note/ }).fill('Call them instead');
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline().getByRole('listitem', { name: 'Note: Call them instead' }).waitFor();
  });

  it('a change made on a stale copy (409) says the conversation changed and shows it reloaded', async () => {
    await conversations()
      .getByRole('button', { name: /And the receipt is in your email/ })
      .click();
    await timeline().getByRole('listitem', { name: 'Customer: Still waiting for the refund' }).waitFor();
    // As if another agent changed it after this tab loaded it: the tab's change goes with an older version.
    await page.route('**/api/v1/conversations/*', (route) =>
      route.request().method() === 'PATCH'
        ? route.continue({ headers: { ...route.request().headers(), 'if-match': '"0"' } })
        : route.continue(),
    );
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page
      .getByRole('alert')
      .getByText('This conversation changed meanwhile — reloaded. Check it and try again.')
      .waitFor();
    await page.unroute('**/api/v1/conversations/*');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
  });

  it('never shows another Page: the selector holds only the agent’s Page, the list none of Page B', async () => {
    await page.getByLabel('Page', { exact: true }).first().click();
    const options = page.getByRole('option');
    await options.first().waitFor();
    assert.deepEqual(await options.allTextContents(), ['Demo Shop']);
    await page.keyboard.press('Escape');
    assert.equal(
      await conversations()
        .getByRole('button', { name: /secret of page B/ })
        .count(),
      0,
    );
  });

  it('signs out back to the sign-in form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByText('You signed out.').waitFor();
  });

  it('returns to sign-in cleanly when the session ends on the server', async () => {
    await signIn(page, AGENT);
    // The session ends elsewhere (signed out from another place with the same cookie).
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const me = await fetch(`${server.base}/api/v1/me`, { headers: { cookie } });
    const { csrf_token } = (await me.json()) as { csrf_token: string };
    assert.equal(
      (
        await fetch(`${server.base}/api/v1/auth/logout`, {
          method: 'POST',
          headers: { cookie, 'x-csrf-token': csrf_token },
        })
      ).status,
      204,
    );
    // The next request the page makes finds the session gone: a person's click, unless a background refresh (the
    // live stream, a list's refetch) got there first and the sign-in form is already back.
    const status = page.getByLabel('Status', { exact: true }).first();
    if (await status.isVisible()) {
      await status.click({ timeout: 2_000 }).catch(() => undefined);
      await page
        .getByRole('option', { name: 'Resolved' })
        .click({ timeout: 2_000 })
        .catch(() => undefined);
    }
    await page.getByText('Your session ended. Sign in again.').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('after a sign-in link for a new account, asks for a password, then opens the inbox', async () => {
    const created = await createUser(server.app.ctx, cliActor, {
      email: 'ben@example.com',
      role: 'agent',
      pageIds: [PAGE_A],
    });
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await fresh.goto(`${server.base}/login/${linkToken(created.login_url)}`);
      await fresh.getByRole('heading', { name: 'Set your password' }).waitFor();
      assert.match(fresh.url(), /\/\?set_password=1$/);
      await fresh.getByRole('textbox', { name: 'New password', exact: true }).fill('a long enough passphrase');
      await fresh.getByRole('button', { name: 'Set password' }).click();
      await fresh.getByRole('status', { name: 'Connection: Live' }).waitFor();
      assert.equal(new URL(fresh.url()).search, '');
    } finally {
      await fresh.close();
    }
  });
});
