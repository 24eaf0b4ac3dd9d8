// The campaign screens for the README (called by scripts/screenshots.ts): the editor with its live eligibility and
// its message on a real person before anything is saved, a saved A/B draft open in the editor, and the report of an
// A/B campaign, seen by a marketer. Their own server, whose "Meta" is the emulator, so the campaign really sends and
// people really read and reply.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { signIn } from '../test/web/support.ts';
import { MARKETER, startCampaignWorld } from '../test/web/campaign-world.ts';

export async function campaignScreenshots(browser: Browser, out: string): Promise<void> {
  const world = await startCampaignWorld();
  // Closed before the server: its live stream would keep the server's close waiting.
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    page.setDefaultTimeout(30_000);
    await page.goto(`${world.base}/#/campaigns`);
    await signIn(page, MARKETER);
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Winter arrivals');
    await page.getByRole('combobox', { name: 'Segment' }).selectOption({ label: world.segmentName });
    const text = page.getByRole('textbox', { name: 'Message text', exact: true });
    await text.fill('Hi {{contact.first_name|there}}, the winter collection is in!');
    await page.getByRole('button', { name: 'Add a link button' }).click();
    await page.getByRole('textbox', { name: 'Button 1 title' }).fill('See it');
    await page.getByRole('textbox', { name: 'Button 1 link' }).fill('https://shop.example/winter');
    await page
      .getByRole('status', { name: 'Audience size' })
      .getByText(/in the audience now/)
      .waitFor();
    const live = page.getByRole('region', { name: 'Live message preview' });
    await live.getByRole('radio', { name: 'Maya Okafor' }).check();
    await live.getByRole('group', { name: 'Rendered message' }).getByText('See it').waitFor();
    await live.getByText('Hi Maya, the winter collection is in!').waitFor();
    await page.getByRole('textbox', { name: 'Name' }).focus();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, 'campaign-editor.png') });
    await page.getByRole('button', { name: 'Add a variant (A/B test)' }).click();
    await page
      .getByRole('textbox', { name: 'Message text of variant B' })
      .fill('{{contact.first_name|Hello}}, 20% off the winter collection this week only!');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status', { name: 'Status: Draft' }).waitFor();
    await page
      .getByRole('region', { name: 'Live eligibility' })
      .getByText(/can receive it now/)
      .waitFor();
    await page.getByRole('group', { name: 'Rendered message' }).waitFor();
    await page.getByRole('heading', { name: 'Winter arrivals' }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, 'campaign-draft.png') });
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await page.getByRole('status', { name: 'Status: Completed' }).waitFor();
    for (const who of ['Maya', 'Jonas', 'Aiko']) await world.emu.emulator.user(world.people[who]!).reads(world.pageId);
    await world.emu.emulator.user(world.people.Maya!).says(world.pageId, 'Lovely! Is it in green too?');
    await world.settle();
    await page.reload();
    await page.getByRole('status', { name: 'Status: Completed' }).waitFor();
    await page.getByRole('table', { name: 'Recipients' }).getByText('Maya Okafor').waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(out, 'campaign-report.png') });
  } finally {
    await page.close();
    await world.close();
  }
}
