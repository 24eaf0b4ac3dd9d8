// The people screens for the README (called by scripts/screenshots.ts): the contact beside a conversation, the
// contact in the phone's drawer, privacy requests and the audit log, seen by an owner.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PAGE_A, type InboxServer, signIn } from '../test/web/support.ts';
import { OWNER, contactIdOf, giveProfiles, optIn } from '../test/web/people.ts';
import { readyAccount } from '../test/users/support.ts';

export async function peopleScreenshots(server: InboxServer, browser: Browser, out: string): Promise<void> {
  await readyAccount(server.app.ctx, OWNER.email, OWNER.password, { role: 'owner' });
  await giveProfiles(server, {
    '7101': { first_name: 'Maya', last_name: 'Okafor', locale: 'fr_FR', timezone: 1 },
    '7102': { first_name: 'Jonas', last_name: 'Berg', locale: 'sv_SE', timezone: 1 },
    '7103': { first_name: 'Aiko', last_name: 'Tanaka', locale: 'ja_JP', timezone: 9 },
  });
  await optIn(server, PAGE_A, await contactIdOf(server, PAGE_A, '7101'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base);
  await signIn(page, OWNER);
  await page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: /Maya Okafor/ })
    .click();
  const sidebar = page.getByRole('complementary', { name: 'Contact' });
  await sidebar
    .getByRole('region', { name: 'Previous activity' })
    .getByText(/from them/)
    .waitFor();
  await page.screenshot({ path: join(out, 'contact.png') });
  await sidebar.getByRole('button', { name: 'Export data' }).click();
  await page.getByRole('button', { name: 'Open access request' }).click();
  await sidebar
    .getByRole('status')
    .getByText(/^Export requested/)
    .waitFor();
  await page.goto(`${server.base}/#/privacy`);
  await page.getByRole('table', { name: 'Requests' }).waitFor();
  await page.screenshot({ path: join(out, 'privacy.png') });
  await page.goto(`${server.base}/#/audit`);
  await page.getByRole('table', { name: 'Events' }).waitFor();
  await page.screenshot({ path: join(out, 'audit.png') });
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    storageState: await page.context().storageState(),
  });
  await phone.goto(server.base);
  await phone
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('button', { name: /Maya Okafor/ })
    .click();
  await phone.getByRole('button', { name: 'Contact' }).click();
  await phone.getByRole('dialog').getByRole('heading', { name: 'Maya Okafor' }).waitFor();
  await phone.waitForTimeout(400);
  await phone.screenshot({ path: join(out, 'contact-phone.png') });
}
