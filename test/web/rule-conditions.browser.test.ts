import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { readyAccount } from '../users/support.ts';
import { until } from '../support/until.ts';
import { bearer } from '../support/app.ts';
import { tokenFor } from '../ingest/support.ts';
import { installHooks } from '../../src/app/modules.ts';
import { startConversationWorld, type ConversationWorld } from './conversation-world.ts';
import { browserTestsSkipped, launchChromium, signIn } from './support.ts';

const OWNER = { email: 'rita@example.com', password: 'a long owner passphrase' };
const REPLY = 'VIP early access to the sale starts now.';

// An owner gives a keyword rule a condition ("only for people tagged vip") in the rule editor of a real browser; two
// people of the emulator write the keyword, and only the one who matches gets the reply.
describe('a rule with conditions in a browser', { skip: browserTestsSkipped() }, () => {
  let world: ConversationWorld;
  let browser: Browser;
  let page: Page;
  let vip: { userId: string; psid: string };
  let other: { userId: string; psid: string };

  const received = (userId: string) =>
    world.emu.emulator
      .inbox(userId, world.pageId)
      .map((m) => (m.message as { text?: string } | undefined)?.text ?? m.text)
      .filter((t) => t === REPLY);

  before(async () => {
    world = await startConversationWorld();
    // The rules run where a server runs them: as a hook of the processing transaction.
    installHooks(world.app.ctx);
    await readyAccount(world.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
    vip = await world.person('Vera', 'Lopes', 'Hi there');
    other = await world.person('Paul', 'Moreau', 'Hello');
    const token = await tokenFor(world.app, 'admin', [world.pageId]);
    const contact = await world.app.server.inject({
      method: 'GET',
      url: `/api/v1/pages/${world.pageId}/contacts/by-psid/${vip.psid}`,
      headers: bearer(token),
    });
    const tagged = await world.app.server.inject({
      method: 'POST',
      url: `/api/v1/contacts/${contact.json().id as string}/tags`,
      headers: bearer(token),
      payload: { tags: ['VIP'] },
    });
    assert.equal(tagged.statusCode, 200, tagged.body);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(world.base);
    await signIn(page, OWNER);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Automation rules' }).click();
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('adds a keyword rule only for people tagged vip, and the list says its condition in words', async () => {
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByRole('textbox', { name: 'Name' }).fill('VIP sale');
    await form.getByRole('textbox', { name: 'Keywords' }).fill('sale');
    await form.getByRole('checkbox', { name: 'Only for some people (conditions)' }).check();
    const conditions = form.getByRole('group', { name: 'Segment' });
    assert.equal(await conditions.getByRole('combobox', { name: 'Field 1' }).inputValue(), 'tag');
    await conditions.getByRole('combobox', { name: 'Value 1' }).fill('vip');
    await conditions.getByRole('combobox', { name: 'Value 1' }).press('Escape');
    await conditions.getByRole('status', { name: 'Segment size' }).getByText('1 contact', { exact: true }).waitFor();
    await form.getByRole('textbox', { name: 'Reply' }).fill(REPLY);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/automations') && r.request().method() === 'POST'),
      form.getByRole('button', { name: 'Add rule' }).click(),
    ]);
    assert.equal(res.status(), 201, await res.text());
    assert.deepEqual(((await res.json()) as { conditions: unknown }).conditions, {
      all: [{ field: 'tag', op: 'eq', value: 'vip' }],
    });
    const row = page.getByRole('table', { name: 'Automation rules' }).getByRole('row', { name: /VIP sale/ });
    await row.getByText('Tag is vip', { exact: true }).waitFor();
  });

  it('answers the person who matches and not the other, when both write the keyword', async () => {
    await world.emu.emulator.user(other.userId).says(world.pageId, 'Is there a sale this week?');
    await world.emu.emulator.user(vip.userId).says(world.pageId, 'Is there a sale this week?');
    await world.settle();
    await until('the reply to the vip', async () => (received(vip.userId).length === 1 ? true : undefined));
    await world.settle();
    assert.deepEqual(received(other.userId), []);
    const runs = await world.app.ctx.db.selectFrom('automation_runs').select(['outcome']).orderBy('id').execute();
    assert.deepEqual(runs.map((r) => r.outcome).sort(), ['conditions_unmet', 'fired']);
  });

  it('edits the rule to drop its condition, and the list no longer shows one', async () => {
    await page.getByRole('button', { name: 'Edit VIP sale' }).click();
    const form = page.getByRole('form', { name: 'Edit rule VIP sale' });
    const box = form.getByRole('checkbox', { name: 'Only for some people (conditions)' });
    assert.equal(await box.isChecked(), true);
    assert.equal(await form.getByRole('combobox', { name: 'Value 1' }).inputValue(), 'vip');
    await box.uncheck();
    await form.getByRole('button', { name: 'Save rule' }).click();
    const row = page.getByRole('table', { name: 'Automation rules' }).getByRole('row', { name: /VIP sale/ });
    await row.getByText('only if').waitFor({ state: 'detached' });
  });
});
