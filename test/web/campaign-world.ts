import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { startCampaignSender } from '../../src/modules/campaigns/campaign-sender.ts';
import type { BackgroundWorker } from '../../src/kernel/loop.ts';
import { createSegment } from '../../src/modules/segments/segments.ts';
import { recordConsent } from '../../src/modules/consent/ledger.ts';
import { findContactByBidx } from '../../src/modules/contacts/contacts.repository.ts';
import { psidIndex } from '../../src/modules/contacts/contact-columns.ts';
import { readyAccount } from '../users/support.ts';
import { startConversationWorld, type ConversationWorld } from './conversation-world.ts';
import { launchChromium, signIn } from './support.ts';

export const MARKETER = { email: 'mo@example.com', password: 'marketer horse battery staple' };

export interface CampaignWorld extends ConversationWorld {
  segmentName: string;
  /** The emulator's user id of each person, by first name. */
  people: Record<string, string>;
  /** Stops the campaign sender (started campaigns stay as they are) until `releaseSender`. */
  holdSender(): Promise<void>;
  releaseSender(): void;
}

/** The person opts out of the Page's messages, as the ledger records a keyword's opt-out. */
async function optOut(world: ConversationWorld, psid: string): Promise<void> {
  const { ctx } = world.app;
  const contact = await findContactByBidx(ctx.db, world.pageId, psidIndex(ctx.keyring, psid));
  if (!contact) throw new Error('no such contact');
  await ctx.db.transaction().execute((trx) =>
    recordConsent(trx, ctx, {
      contactId: contact.id,
      pageId: world.pageId,
      purpose: 'replies',
      action: 'withdraw',
      source: 'keyword',
      actor: 'contact',
      occurredAt: ctx.clock.now(),
    }),
  );
}

/**
 * The conversation world (a server with the built UI, Meta played by the emulator, a dispatcher sending) with a
 * campaign sender running, a marketer of the Page, three people who wrote in the last day (Maya, Jonas, Aiko), one
 * who opted out (Lena), and a saved segment of everyone who wrote in the last week.
 */
export async function startCampaignWorld(): Promise<CampaignWorld> {
  const world = await startConversationWorld();
  const startSender = () => startCampaignSender(world.app.ctx, { idleMs: 50 });
  let sender: BackgroundWorker = startSender();
  await readyAccount(world.app.ctx, MARKETER.email, MARKETER.password, { role: 'marketer', pages: [world.pageId] });
  const people: Record<string, string> = {};
  let lenaPsid = '';
  for (const [first, last, text] of [
    ['Maya', 'Okafor', 'Is the blue jacket back in size M?'],
    ['Jonas', 'Berg', 'Do you ship to Canada?'],
    ['Aiko', 'Tanaka', 'Thanks for the quick delivery!'],
    ['Lena', 'Schmidt', 'Please send me nothing more.'],
  ] as const) {
    const { userId, psid } = await world.person(first, last, text);
    people[first] = userId;
    if (first === 'Lena') lenaPsid = psid;
  }
  await optOut(world, lenaPsid);
  const segmentName = 'Wrote this week';
  await createSegment(world.app.ctx, cliActor, world.pageId, {
    name: segmentName,
    filter: { field: 'last_user_action_at', op: 'within_days', value: 7 },
  });
  return {
    ...world,
    segmentName,
    people,
    holdSender: () => sender.stop(),
    releaseSender: () => {
      sender = startSender();
    },
    close: async () => {
      await sender.stop();
      await world.close();
    },
  };
}

/** Chromium on the world's server, signed in as the marketer, on the Campaigns section. */
export async function openCampaigns(world: CampaignWorld): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => console.error('browser error:', err.stack));
  await page.goto(world.base);
  await signIn(page, MARKETER);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Campaigns' }).click();
  return { browser, page };
}
