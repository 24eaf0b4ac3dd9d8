import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { EXTERNAL_APP } from '../../src/emulator/index.ts';
import { AGENT, browserTestsSkipped, launchChromium, signIn } from './support.ts';
import { startConversationWorld, type ConversationWorld } from './conversation-world.ts';

// Messenger's handover protocol in the conversation view: the emulator plays a second app (the Helpdesk Bot). While
// it owns the thread a banner says so and offers to take the thread back; while pagescope owns it, it can be passed.
describe('thread control in the conversation view', { skip: browserTestsSkipped() }, () => {
  let world: ConversationWorld;
  let browser: Browser;
  let page: Page;
  let hana: { userId: string; psid: string };
  const banner = () => page.getByRole('region', { name: 'Thread control' });

  before(async () => {
    world = await startConversationWorld();
    hana = await world.person('Hana', 'Sato', 'Can I change my delivery address?');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(world.base);
    await signIn(page, AGENT);
    await page
      .getByRole('navigation', { name: 'Conversations' })
      .getByRole('button', { name: /change my delivery address/ })
      .click();
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  /** The other app takes the thread (the banner shows it) and the agent's reply is sent anyway. */
  async function theOtherAppTakesItAndAReplyIsRefused(): Promise<void> {
    await world.emu.emulator.handover({
      user_id: hana.userId,
      page_id: world.pageId,
      app_id: EXTERNAL_APP.id,
      action: 'take',
    });
    await world.settle();
    await banner()
      .getByText(/is handling this conversation/)
      .waitFor();
    await page.getByRole('textbox', { name: 'Reply', exact: true }).fill('Sure, which address?');
    await page.getByRole('button', { name: 'Send reply' }).click();
  }

  it('passes the conversation to the other app, then shows who handles it and takes it back', async () => {
    assert.equal(await banner().count(), 0);
    await page.getByRole('button', { name: 'Pass to app' }).click();
    await page.getByRole('menuitem', { name: `Pass to ${EXTERNAL_APP.name}` }).click();
    await banner()
      .getByText(`Another app, ${EXTERNAL_APP.name} (id ${EXTERNAL_APP.id}), is handling this conversation`)
      .waitFor();
    await banner().getByRole('button', { name: 'Take thread control' }).click();
    await banner().waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Pass to app' }).count(), 1);
  });

  it('shows the banner as soon as the other app takes the thread, and refuses a reply with the reason', async () => {
    await theOtherAppTakesItAndAReplyIsRefused();
    const notSent = page
      .getByRole('alert')
      .filter({ hasText: /Not sent: Another app .* is in control of this conversation/ });
    await notSent.waitFor();
    await banner().getByRole('button', { name: 'Take thread control' }).click();
    await banner().waitFor({ state: 'detached' });
    await notSent.waitFor({ state: 'detached' });
  });

  it('clears a reply refused while another app had the thread once that app passes it back', async () => {
    await theOtherAppTakesItAndAReplyIsRefused();
    const notSent = page.getByRole('alert').filter({ hasText: /Not sent:/ });
    await notSent.waitFor();
    await world.emu.emulator.handover({
      user_id: hana.userId,
      page_id: world.pageId,
      app_id: EXTERNAL_APP.id,
      action: 'pass',
      target_app_id: world.emu.emulator.options.appId,
    });
    await world.settle();
    await banner().waitFor({ state: 'detached' });
    await notSent.waitFor({ state: 'detached' });
  });

  it('shows another app asking for the conversation, keeps it once, then passes it to them', async () => {
    const request = page.getByRole('region', { name: 'Thread request' });
    const ask = async () => {
      await world.emu.emulator.handover({
        user_id: hana.userId,
        page_id: world.pageId,
        app_id: EXTERNAL_APP.id,
        action: 'request',
      });
      await world.settle();
    };
    await ask();
    await request
      .getByText(`${EXTERNAL_APP.name} (app id ${EXTERNAL_APP.id}) asks to handle this conversation`)
      .waitFor();
    await request.getByRole('button', { name: 'Keep it' }).click();
    await request.waitFor({ state: 'detached' });
    assert.equal(await banner().count(), 0, 'keeping it changes no owner');

    await ask();
    await request.getByRole('button', { name: 'Pass it to them' }).click();
    await banner()
      .getByText(/is handling this conversation/)
      .waitFor();
    assert.equal(await request.count(), 0);
  });
});
