import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createCampaign } from '../../src/modules/campaigns/campaigns.ts';
import { browserTestsSkipped } from './support.ts';
import { openCampaigns, startCampaignWorld, type CampaignWorld } from './campaign-world.ts';

// A marketer presses Start on a draft they edited without saving: the confirmation says so and asks whether to save
// the edits and start, or start the version saved last; each choice does what it says. Found by role and label only.
describe('starting a draft with unsaved edits, in a browser', { skip: browserTestsSkipped() }, () => {
  let world: CampaignWorld;
  let browser: Browser;
  let page: Page;
  const campaigns = () => page.getByRole('navigation', { name: 'Campaigns' });
  const message = () => page.getByRole('textbox', { name: 'Message text', exact: true });

  /** A saved draft to everyone who wrote this week, opened in the browser. */
  async function openDraft(name: string, text: string): Promise<string> {
    const segment = await world.app.ctx.db
      .selectFrom('segments')
      .select('id')
      .where('name', '=', world.segmentName)
      .executeTakeFirstOrThrow();
    const c = await createCampaign(world.app.ctx, cliActor, world.pageId, {
      name,
      kind: 'standard',
      segment_id: segment.id,
      message: { text },
    });
    await page.reload();
    await campaigns()
      .getByRole('button', { name: new RegExp(name) })
      .click();
    await page.getByRole('heading', { name }).waitFor();
    assert.equal(await message().inputValue(), text);
    return c.id;
  }
  before(async () => {
    world = await startCampaignWorld();
    ({ browser, page } = await openCampaigns(world));
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('asks, and “Save and start” saves the edits, then starts what was saved', async () => {
    const id = await openDraft('Spring sale', 'Spring sale starts Monday');
    await page.getByRole('textbox', { name: 'Name' }).fill('Spring sale, final');
    await message().fill('Spring sale starts today');
    await page.getByRole('button', { name: 'Start' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this campaign?' });
    await dialog
      .getByRole('alert', { name: 'Unsaved changes' })
      .getByText('Save them and start, or start the version saved last and leave them out?')
      .waitFor();
    await dialog.getByRole('button', { name: 'Save and start' }).click();
    await page.getByRole('status', { name: /Status: (Running|Completed)/ }).waitFor();
    await page.getByRole('heading', { name: 'Spring sale, final' }).waitFor();
    const stored = await world.app.ctx.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.name, 'Spring sale, final');
    assert.match(JSON.stringify(stored), /Spring sale starts today/);
    assert.ok(['running', 'completed'].includes(stored.status));
  });

  it('“Start the saved version” starts the draft as saved and leaves the edits out', async () => {
    const id = await openDraft('Autumn sale', 'Autumn sale starts Monday');
    await message().fill('Autumn sale starts today');
    await page.getByRole('button', { name: 'Start' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this campaign?' });
    await dialog.getByRole('alert', { name: 'Unsaved changes' }).waitFor();
    await dialog.getByRole('button', { name: 'Start the saved version' }).click();
    await page.getByRole('status', { name: /Status: (Running|Completed)/ }).waitFor();
    const stored = await world.app.ctx.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.match(JSON.stringify(stored), /Autumn sale starts Monday/);
    assert.doesNotMatch(JSON.stringify(stored), /Autumn sale starts today/);
  });

  it('“Save and start” with edits that cannot be saved starts nothing and shows what to fix', async () => {
    const id = await openDraft('Summer sale', 'Summer sale starts Monday');
    await message().fill('');
    await page.getByRole('button', { name: 'Start' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this campaign?' });
    await dialog.getByRole('button', { name: 'Save and start' }).click();
    await page.getByText('Write the message (every variant needs one).').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status', { name: 'Status: Draft' }).waitFor();
    const stored = await world.app.ctx.db
      .selectFrom('campaigns')
      .select(['status', 'message'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.status, 'draft');
    assert.match(stored.message ?? '', /Summer sale starts Monday/);
    await message().fill('Summer sale starts Monday');
  });

  it('without unsaved edits, Start asks only the usual question', async () => {
    await openDraft('Winter sale', 'Winter sale starts Monday');
    await page.getByRole('button', { name: 'Start' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this campaign?' });
    await dialog.getByRole('button', { name: 'Start', exact: true }).waitFor();
    assert.equal(await dialog.getByRole('alert', { name: 'Unsaved changes' }).count(), 0);
    assert.equal(await dialog.getByRole('button', { name: 'Save and start' }).count(), 0);
    await dialog.getByRole('button', { name: 'Back' }).click();
  });
});
