import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { startProfilePush } from '../../src/modules/messenger-profile/profile-push.ts';
import { startConversationWorld, type ConversationWorld } from './conversation-world.ts';
import { browserTestsSkipped, launchChromium, signIn } from './support.ts';

const OWNER = { email: 'paula@example.com', password: 'a long owner passphrase' };

// An owner edits the Page's Messenger profile in a real browser: the phone-like preview follows the form, Meta's
// limits come back next to the field, and a saved profile reaches the emulator (playing Meta) through the push loop.
describe('the Messenger profile editor in a browser', { skip: browserTestsSkipped() }, () => {
  let world: ConversationWorld;
  let push: BackgroundWorker;
  let browser: Browser;
  let page: Page;

  /** The profile as Meta (the emulator) holds it, read over its Graph API with the Page's token. */
  async function atMeta(): Promise<Record<string, unknown>> {
    const token = world.emu.emulator.world.pages.get(world.pageId)!.accessToken;
    const fields = 'get_started,greeting,ice_breakers,persistent_menu';
    const res = await fetch(`${world.emu.url}/v25.0/me/messenger_profile?fields=${fields}&access_token=${token}`);
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { data: Record<string, unknown>[] }).data[0] ?? {};
  }

  async function save(status: number): Promise<void> {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/messenger-profile') && r.request().method() === 'PUT'),
      page.getByRole('button', { name: 'Save and push to Meta' }).click(),
    ]);
    assert.equal(res.status(), status, await res.text());
  }

  before(async () => {
    world = await startConversationWorld();
    push = startProfilePush(world.app.ctx, { idleMs: 100 });
    await readyAccount(world.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(world.base);
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Messenger profile' }).click();
    await page.getByRole('heading', { name: 'Messenger profile of Demo Shop' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await push?.stop();
    await world?.close();
  });

  it('shows the greeting, ice breakers, Get Started and menu in the preview as they are typed', async () => {
    const preview = page.getByRole('figure', { name: 'Preview in Messenger' });
    await page
      .getByRole('status', { name: 'Push to Meta' })
      .getByText(/Never saved/)
      .waitFor();
    await page.getByRole('textbox', { name: 'Get Started payload' }).fill('GET_STARTED');
    await preview.getByText('Get Started', { exact: true }).waitFor();

    const greeting = page.getByRole('textbox', { name: 'Greeting (Default)' });
    await greeting.fill('Hello ');
    await page.getByRole('button', { name: 'Insert first name' }).click();
    assert.equal(await greeting.inputValue(), 'Hello {{user_first_name}}');
    await preview.getByText('Hello Ana', { exact: true }).waitFor();

    const questions = ['Where is my order?', 'When are you open?', 'Do you ship abroad?', 'Can I return it?', 'Sizes?'];
    for (const [i, question] of questions.entries()) {
      await page.getByRole('button', { name: 'Add ice breaker' }).click();
      await page.getByRole('textbox', { name: `Question ${i + 1}` }).fill(question);
      await page.getByRole('textbox', { name: `Payload ${i + 1}` }).fill(`Q${i + 1}`);
    }
    const chips = preview.getByRole('list', { name: 'Ice breakers in the preview' }).getByRole('listitem');
    assert.deepEqual(await chips.allTextContents(), questions);

    await page.getByRole('button', { name: 'Add menu item' }).click();
    await page.getByRole('textbox', { name: 'Menu item 1 title' }).fill('My orders');
    await page.getByRole('textbox', { name: 'Menu item 1 payload' }).fill('ORDERS');
    await page.getByRole('button', { name: 'Add menu item' }).click();
    await page.getByRole('combobox', { name: 'Menu item 2 type' }).selectOption('web_url');
    await page.getByRole('textbox', { name: 'Menu item 2 title' }).fill('Shop online');
    await page.getByRole('textbox', { name: 'Menu item 2 address' }).fill('https://shop.example');
    const menu = preview.getByRole('list', { name: 'Menu in the preview' });
    await menu.getByText('Shop online').waitFor();
    assert.deepEqual(await menu.getByRole('listitem').allTextContents(), ['My orders', 'Shop online↗']);
  });

  it("refuses a fifth ice breaker with Meta's limit said beside the ice breakers, and saves nothing", async () => {
    await save(400);
    const iceBreakers = page.getByRole('group', { name: 'Ice breakers (Default)' });
    await iceBreakers.getByRole('alert').getByText('The ice breakers must hold 1 to 4 items').waitFor();
    assert.deepEqual(await atMeta(), {});
  });

  it('saves four, shows the push pending then pushed, and Meta holds the profile', async () => {
    await page.getByRole('button', { name: 'Remove ice breaker 5' }).click();
    await save(200);
    const state = page.getByRole('status', { name: 'Push to Meta' });
    await state.getByText(/^(Pending|Pushed)$/).waitFor();
    await state.getByText('Pushed', { exact: true }).waitFor();
    const meta = await atMeta();
    assert.deepEqual(meta.get_started, { payload: 'GET_STARTED' });
    assert.deepEqual(meta.greeting, [{ locale: 'default', text: 'Hello {{user_first_name}}' }]);
    const ice = meta.ice_breakers as { call_to_actions: { question: string }[] }[];
    assert.deepEqual(
      ice[0]!.call_to_actions.map((c) => c.question),
      ['Where is my order?', 'When are you open?', 'Do you ship abroad?', 'Can I return it?'],
    );
    assert.deepEqual(meta.persistent_menu, [
      {
        locale: 'default',
        call_to_actions: [
          { type: 'postback', title: 'My orders', payload: 'ORDERS' },
          { type: 'web_url', title: 'Shop online', url: 'https://shop.example' },
        ],
      },
    ]);
  });

  it('adds a language whose greeting people with that locale see, and keeps it after a reload', async () => {
    await page.getByRole('combobox', { name: 'Language to add' }).fill('fr_FR');
    await page.getByRole('combobox', { name: 'Language to add' }).press('Escape');
    await page.getByRole('button', { name: 'Add language' }).click();
    await page.getByRole('textbox', { name: 'Greeting (fr_FR)' }).fill('Bonjour {{user_first_name}} !');
    const preview = page.getByRole('figure', { name: 'Preview in Messenger' });
    await preview.getByText('Bonjour Ana !').waitFor();
    await save(200);
    await page.reload();
    await page.getByRole('radiogroup', { name: 'Language' }).getByText('fr_FR', { exact: true }).click();
    assert.equal(
      await page.getByRole('textbox', { name: 'Greeting (fr_FR)' }).inputValue(),
      'Bonjour {{user_first_name}} !',
    );
  });
});
