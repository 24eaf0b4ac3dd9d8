// `npm run screenshots`: the web inbox as a person sees it, at 1280×800 (sign-in, inbox, conversation, the Messenger
// profile editor, campaigns) and on a phone (390×844), saved to docs/screenshots/ for the README. A real server on a
// fresh database, a few people write.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT, PAGE_A, browserTestsSkipped, launchChromium, startInboxServer, signIn } from '../test/web/support.ts';
import { peopleScreenshots } from './screenshots-people.ts';
import { settingsScreenshots } from './screenshots-settings.ts';
import { campaignScreenshots } from './screenshots-campaigns.ts';

const skipped = browserTestsSkipped();
if (skipped) {
  console.error(`screenshots: ${skipped}`);
  process.exit(1);
}
const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startInboxServer();
const browser = await launchChromium();
try {
  await server.write(PAGE_A, '7101', 'Hi! Where is my order #4471? It was due yesterday.');
  await server.write(PAGE_A, '7102', 'Do you ship to Canada?');
  await server.write(PAGE_A, '7103', 'The blue jacket, is it back in size M?');
  await server.press(PAGE_A, '7101', 'Track my order', 'TRACK_ORDER');
  await server.write(PAGE_A, '7101', 'It says delivered but nothing is at my door.');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.screenshot({ path: join(out, 'sign-in.png') });
  await signIn(page, AGENT);
  const list = page.getByRole('navigation', { name: 'Conversations' });
  await list.getByRole('button', { name: /nothing is at my door/ }).waitFor();
  await page.screenshot({ path: join(out, 'inbox.png') });
  await list.getByRole('button', { name: /nothing is at my door/ }).click();
  const timeline = page.getByRole('list', { name: 'Timeline' });
  await timeline.getByRole('listitem', { name: /nothing is at my door/ }).waitFor();
  await page
    .getByRole('textbox', { name: 'Reply' })
    .fill('Sorry about that! I have asked the carrier; I will write back within the hour.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await timeline.getByRole('listitem', { name: /asked the carrier/ }).waitFor();
  await page.getByRole('textbox', { name: 'Reply' }).press('Escape');
  await page.keyboard.press('n');
  await page.getByRole('textbox', { name: /Note/ }).fill('Carrier ticket 88-1204 opened.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await timeline.getByRole('listitem', { name: /Carrier ticket/ }).waitFor();
  await page.getByRole('textbox', { name: /Note/ }).fill('');
  await page.getByRole('textbox', { name: /Note/ }).blur();
  await page.screenshot({ path: join(out, 'conversation.png') });
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    storageState: await page.context().storageState(),
  });
  await phone.goto(server.base);
  await phone
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: /Canada/ })
    .waitFor();
  await phone.screenshot({ path: join(out, 'inbox-phone.png') });
  await peopleScreenshots(server, browser, out);
  await settingsScreenshots(server, browser, out);
  await campaignScreenshots(browser, out);
  console.log(`screenshots saved in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
