// The Messenger profile editor for the README (called by scripts/screenshots.ts after the people screens, whose owner
// it signs in as): a profile with a greeting, ice breakers and a menu, beside its Messenger-like preview.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PAGE_A, type InboxServer, signIn } from '../test/web/support.ts';
import { OWNER } from '../test/web/people.ts';
import { cliActor } from '../src/modules/access/actor.ts';
import { putMessengerProfile } from '../src/modules/messenger-profile/messenger-profile.ts';

export async function settingsScreenshots(server: InboxServer, browser: Browser, out: string): Promise<void> {
  await putMessengerProfile(server.app.ctx, cliActor, PAGE_A, {
    get_started: { payload: 'GET_STARTED' },
    greeting: [{ locale: 'default', text: 'Hi {{user_first_name}}! Ask us about your order, sizes or delivery.' }],
    ice_breakers: [
      {
        locale: 'default',
        call_to_actions: [
          { question: 'Where is my order?', payload: 'ORDER_STATUS' },
          { question: 'When are you open?', payload: 'HOURS' },
          { question: 'Do you ship abroad?', payload: 'SHIPPING' },
        ],
      },
    ],
    persistent_menu: [
      {
        locale: 'default',
        call_to_actions: [
          { type: 'postback', title: 'My orders', payload: 'ORDERS' },
          { type: 'postback', title: 'Talk to a person', payload: 'HUMAN' },
          { type: 'web_url', title: 'Shop online', url: 'https://shop.example' },
        ],
      },
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base);
  await signIn(page, OWNER);
  await page.goto(`${server.base}/#/settings/messenger-profile`);
  await page.getByRole('figure', { name: 'Preview in Messenger' }).getByText('Where is my order?').waitFor();
  await page.screenshot({ path: join(out, 'messenger-profile.png') });
}
