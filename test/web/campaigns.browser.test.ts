import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { AGENT, browserTestsSkipped, signIn } from './support.ts';
import { openCampaigns, startCampaignWorld, type CampaignWorld } from './campaign-world.ts';
import { freezeTurn } from '../campaigns/freeze-steps.ts';

// A marketer runs a campaign in a real browser against a real server whose "Meta" is the emulator: while it is written
// the editor says who it would reach and shows the message on real people, the draft is saved and edited, the campaign sends through the Send API, its progress
// follows the event stream to the end, and the report has the figures. Found by role and label only.
describe('campaigns in a browser', { skip: browserTestsSkipped() }, () => {
  let world: CampaignWorld;
  let browser: Browser;
  let page: Page;
  const campaigns = () => page.getByRole('navigation', { name: 'Campaigns' });
  const message = () => page.getByRole('textbox', { name: 'Message text', exact: true });

  before(async () => {
    world = await startCampaignWorld();
    ({ browser, page } = await openCampaigns(world));
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('shows a refused field next to that field, and saves nothing', async () => {
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Typo');
    await page.getByRole('combobox', { name: 'Segment' }).selectOption({ label: world.segmentName });
    await message().fill('Hi {{contact.frist_name}}!');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText(/unknown variable \{\{contact\.frist_name\}\}/).waitFor();
    assert.equal(await message().getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid'), null);
    assert.equal(await campaigns().getByRole('button').count(), 0, 'no campaign was created');
  });

  it('shows who it reaches and the message on a real contact while it is written, before saving', async () => {
    await page.getByRole('textbox', { name: 'Name' }).fill('Winter arrivals');
    await message().fill('Hi , the winter collection is in!');
    // The variable goes where the caret is: after "Hi ".
    await message().evaluate((el) =>
      (el as unknown as { setSelectionRange(a: number, b: number): void }).setSelectionRange(3, 3),
    );
    await page.getByRole('button', { name: 'Insert First name into Message text' }).click();
    assert.equal(await message().inputValue(), 'Hi {{contact.first_name|there}}, the winter collection is in!');
    await page
      .getByRole('status', { name: 'Audience size' })
      .getByText(/^4 people in the audience now/)
      .waitFor();

    const eligibility = page.getByRole('region', { name: 'Live eligibility' });
    await eligibility.getByText('3 of 4 people can receive it now').waitFor();
    await eligibility.getByRole('list', { name: 'Left out' }).getByText('1 opted out').waitFor();
    const preview = page.getByRole('region', { name: 'Live message preview' });
    await preview.getByRole('radio', { name: 'Maya Okafor' }).check();
    const rendered = preview.getByRole('group', { name: 'Rendered message' });
    await rendered.getByText('Hi Maya, the winter collection is in!').waitFor();
    assert.equal(await preview.getByRole('radio', { name: /Lena/ }).count(), 0, 'who opted out is not offered');

    // Another person, then another wording: the preview follows both without a save.
    await preview.getByRole('radio', { name: 'Jonas Berg' }).check();
    await rendered.getByText('Hi Jonas, the winter collection is in!').waitFor();
    await message().fill('{{contact.first_name}}, the winter collection is in!');
    await rendered.getByText('Jonas, the winter collection is in!', { exact: true }).waitFor();
    await message().fill('Hi {{contact.frist_name}}!');
    await eligibility
      .getByRole('alert', { name: 'What to fix' })
      .getByText(/Unknown variable/)
      .waitFor();
    await message().fill('Hi {{contact.first_name|there}}, the winter collection is in!');
    await page.getByRole('button', { name: 'Add a link button' }).click();
    await page.getByRole('textbox', { name: 'Button 1 title' }).fill('See it');
    await page.getByRole('textbox', { name: 'Button 1 link' }).fill('https://shop.example/winter');
    await rendered.getByText('See it').waitFor();
    await rendered.getByText('Hi Jonas, the winter collection is in!').waitFor();
    assert.equal(await campaigns().getByRole('button').count(), 0, 'nothing was saved while previewing');
  });

  it('saves the draft, opens it in the editor, and saves an edit of it', async () => {
    await page.getByRole('button', { name: 'Save draft' }).click();
    await campaigns()
      .getByRole('button', { name: /Winter arrivals/ })
      .waitFor();
    await page.getByRole('status', { name: 'Status: Draft' }).waitFor();
    // The draft opens in the editor, as saved, with its live preview.
    assert.equal(await message().inputValue(), 'Hi {{contact.first_name|there}}, the winter collection is in!');
    assert.equal(await page.getByRole('textbox', { name: 'Button 1 title' }).inputValue(), 'See it');
    await page
      .getByRole('region', { name: 'Live eligibility' })
      .getByText('3 of 4 people can receive it now')
      .waitFor();

    await page.getByRole('textbox', { name: 'Name' }).fill('Winter arrivals, first week');
    await page
      .getByRole('status', { name: 'Saved state' })
      .getByText(/Unsaved changes/)
      .waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('status', { name: 'Saved state' })
      .getByText(/^Saved\./)
      .waitFor();
    await campaigns()
      .getByRole('button', { name: /Winter arrivals, first week/ })
      .waitFor();
    await page.getByRole('heading', { name: 'Winter arrivals, first week' }).waitFor();
  });

  it('starts after a confirmation, says how many people were checked while starting, and reaches completed without a reload', async () => {
    await page.evaluate(() => ((globalThis as { sameDocument?: boolean }).sameDocument = true));
    // The sender held, the campaign stays starting until its audience is frozen batch by batch below.
    await world.holdSender();
    await page.getByRole('button', { name: 'Start' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this campaign?' });
    await dialog.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('status', { name: 'Status: Starting' }).waitFor();
    const progress = page.getByRole('region', { name: 'Progress' });
    await progress.getByText('Starting — 0 people checked so far').waitFor();
    const { id } = await world.app.ctx.db
      .selectFrom('campaigns')
      .select('id')
      .where('status', '=', 'starting')
      .executeTakeFirstOrThrow();
    await freezeTurn(world.app.ctx, id, 2, true);
    await progress.getByText('Starting — 2 people checked so far').waitFor();
    await campaigns().getByText('Starting — 2 people checked so far').waitFor();
    world.releaseSender();
    await page.getByRole('status', { name: 'Status: Completed' }).waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar', { name: 'Progress: 100%' }).waitFor();
    await page.getByRole('region', { name: 'Progress' }).getByText('4 of 4 done').waitFor();
    assert.equal(
      await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument),
      true,
      'the page was not reloaded',
    );
  });

  it('the report has the sent figure, the charts, and each recipient with what became of them', async () => {
    const report = page.getByRole('region', { name: 'Report' });
    const figures = report.getByRole('table', { name: 'Figures' });
    await figures.getByRole('row', { name: 'Sent 3', exact: true }).waitFor();
    await figures.getByRole('row', { name: /^Delivered 3 \(100%\)/ }).waitFor();
    await report.getByRole('row', { name: /Skipped: opted out/ }).waitFor();
    await report.getByRole('img', { name: 'From sent to replied' }).waitFor();
    const recipients = report.getByRole('table', { name: 'Recipients' });
    await recipients.getByRole('row', { name: /Lena Schmidt.*Skipped.*opted out/ }).waitFor();
    await recipients.getByRole('row', { name: /Maya Okafor.*(Sent|Delivered|Read)/ }).waitFor();
  });

  it('is not shown to an agent, who may not run campaigns', async () => {
    const agent = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await agent.goto(`${world.base}/#/campaigns`);
    await signIn(agent, AGENT);
    const sections = agent.getByRole('navigation', { name: 'Sections' });
    await sections.getByRole('link', { name: 'Inbox' }).waitFor();
    assert.equal(await sections.getByRole('link', { name: 'Campaigns' }).count(), 0);
    assert.equal(await agent.getByRole('button', { name: 'New campaign' }).count(), 0);
    await agent.close();
  });
});
