import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createCannedResponse } from '../../src/modules/canned-responses/canned-responses.ts';
import { registerConsentKeywordHook } from '../../src/modules/consent/keyword-hook.ts';
import { AGENT, browserTestsSkipped, launchChromium, signIn } from './support.ts';
import { startConversationWorld, type ConversationWorld } from './conversation-world.ts';

// An agent works one conversation in a real browser against a real server whose "Meta" is the emulator: replies go
// out through the Send API, come back as echoes and receipts, and the ticks follow. Found by role and label only.
describe('the conversation pane in a browser', { skip: browserTestsSkipped() }, () => {
  let world: ConversationWorld;
  let browser: Browser;
  let page: Page;
  let ada: { userId: string; psid: string };
  const conversations = () => page.getByRole('navigation', { name: 'Conversations' });
  const timeline = () => page.getByRole('list', { name: 'Timeline' });
  const reply = () => page.getByRole('textbox', { name: 'Reply', exact: true });

  before(async () => {
    world = await startConversationWorld();
    await createCannedResponse(world.app.ctx, cliActor, world.pageId, {
      shortcut: 'thanks',
      text: 'Thanks {{contact.first_name|there}}, happy to help!',
    });
    await createCannedResponse(world.app.ctx, cliActor, world.pageId, {
      shortcut: 'hours',
      text: 'We are open 9 to 5, {{contact.name}}.',
    });
    ada = await world.person('Ada', 'Lovelace', 'Where is my parcel?');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('browser error:', err.stack));
    await page.goto(world.base);
    await signIn(page, AGENT);
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('a reply shows Delivered once Meta delivers it, then Read when the person reads it', async () => {
    await conversations()
      .getByRole('button', { name: /Where is my parcel\?/ })
      .click();
    await reply().fill('It left the warehouse this morning');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const sent = timeline().getByRole('listitem', { name: 'Agent: It left the warehouse this morning' });
    await sent.getByRole('img', { name: 'Delivered' }).waitFor();
    await world.emu.emulator.user(ada.userId).reads(world.pageId);
    await sent.getByRole('img', { name: 'Read' }).waitFor();
    assert.equal(await sent.getByRole('img', { name: 'Delivered' }).count(), 0);
  });

  it('offers quick replies with a reply, shows them as chips, and shows what the person tapped', async () => {
    await page.getByRole('button', { name: 'Add quick replies' }).click();
    await page.getByRole('textbox', { name: 'Quick reply 1' }).fill('Track it');
    await page.getByRole('button', { name: 'Add quick reply' }).click();
    await page.getByRole('textbox', { name: 'Quick reply 2' }).fill('Talk to a human');
    await reply().fill('What would you like to do?');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const offered = timeline()
      .getByRole('listitem', { name: 'Agent: What would you like to do?' })
      .getByRole('group', { name: 'Quick replies offered' });
    await offered.getByText('Track it').waitFor();
    await offered.getByText('Talk to a human').waitFor();
    await world.emu.emulator.user(ada.userId).quickReply(world.pageId, 'Track it', 'Track it');
    await timeline().getByRole('listitem', { name: 'Customer: Track it' }).getByText('Tapped a quick reply').waitFor();
  });

  it('typing / lists the canned responses: arrows move, Esc closes, Enter inserts with the first name filled', async () => {
    await reply().fill('');
    await reply().pressSequentially('/');
    const listbox = page.getByRole('listbox', { name: 'Canned responses' });
    await listbox.waitFor();
    assert.equal(await listbox.getByRole('option').count(), 2);
    await reply().press('ArrowDown');
    await listbox.getByRole('option', { name: /\/thanks/, selected: true }).waitFor();
    await reply().press('Escape');
    await listbox.waitFor({ state: 'hidden' });
    assert.equal(
      await reply().evaluate((el) => el === el.ownerDocument.activeElement),
      true,
      'Esc leaves the focus in place',
    );
    await reply().fill('');
    await reply().pressSequentially('/tha');
    await listbox.getByRole('option', { name: /\/thanks/, selected: true }).waitFor();
    await reply().press('Enter');
    await listbox.waitFor({ state: 'hidden' });
    assert.equal(await reply().inputValue(), 'Thanks Ada, happy to help!');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await timeline().getByRole('listitem', { name: 'Agent: Thanks Ada, happy to help!' }).waitFor();
  });

  it('shows what a person changed their message to, marked edited, and what they first sent on request', async () => {
    const person = world.emu.emulator.user(ada.userId);
    const said = await person.says(world.pageId, 'Please deliver to 12 Elm Street');
    await world.settle();
    await timeline().getByRole('listitem', { name: 'Customer: Please deliver to 12 Elm Street' }).waitFor();
    await person.edits(world.pageId, said.mid!, 'Please deliver to 21 Elm Street');
    await world.settle();
    // The open conversation follows the edit live, without a reload.
    const edited = timeline().getByRole('listitem', { name: 'Customer: Please deliver to 21 Elm Street (edited)' });
    await edited.waitFor();
    await conversations()
      .getByRole('button', { name: /Please deliver to 21 Elm Street/ })
      .waitFor();
    assert.equal(await edited.getByRole('note', { name: 'First sent' }).count(), 0);
    await edited.getByRole('button', { name: 'Edited · show what was first sent' }).click();
    await edited.getByRole('note', { name: 'First sent' }).getByText('Please deliver to 12 Elm Street').waitFor();
    await edited.getByRole('button', { name: 'Edited · hide what was first sent' }).click();
    await edited.getByRole('note', { name: 'First sent' }).waitFor({ state: 'detached' });
  });

  it("shows the person's reaction on the reply they reacted to, live, and takes it away when they take it back", async () => {
    const person = world.emu.emulator.user(ada.userId);
    const received = world.emu.emulator.inbox(ada.userId, world.pageId);
    const ours = received.find((m) => m.text === 'It left the warehouse this morning')!;
    await person.reacts(world.pageId, String(ours.mid), 'love', 'react');
    await world.settle();
    const replied = timeline().getByRole('listitem', { name: 'Agent: It left the warehouse this morning' });
    await replied.getByRole('img', { name: 'The customer reacted: love' }).waitFor();
    await person.reacts(world.pageId, String(ours.mid), 'love', 'unreact');
    await world.settle();
    await replied.getByRole('img', { name: 'The customer reacted: love' }).waitFor({ state: 'detached' });
  });

  it('a send Meta refuses shows the reason in plain words, with the codes in small print', async () => {
    const bob = await world.person('Bob', 'Stone', 'Cancel my order please');
    await world.emu.emulator.user(bob.userId).blocks(world.pageId);
    await conversations()
      .getByRole('button', { name: /Cancel my order please/ })
      .click();
    await reply().fill('Your order is cancelled');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const failed = timeline().getByRole('listitem', { name: 'Agent: Your order is cancelled' });
    await failed.getByRole('img', { name: 'Failed' }).waitFor();
    const why = failed.getByRole('note', { name: 'Why it was not sent' });
    await why
      .getByText("This person can't receive messages from the Page right now (they may have blocked it).")
      .waitFor();
    await why.getByText(/^unreachable · Meta #551/).waitFor();
    // Meta's answer made the person unreachable: the composer says so and offers a note only, before anything is typed.
    const banner = page.getByRole('status', { name: 'Messaging window' });
    await banner.getByText('Not reachable: no replies').waitFor();
    await page.getByRole('textbox', { name: 'Note (only your team sees it)' }).waitFor();
    assert.equal(await reply().count(), 0);
  });

  it('a person who typed STOP gets no reply: the composer says why and offers a note, then a reply again after START', async () => {
    // STOP and START are read by the consent keywords' hook, which serve installs on every inbound message.
    registerConsentKeywordHook(world.app.ctx.inboundHooks);
    const cleo = await world.person('Cleo', 'Park', 'Do you ship to Norway?');
    await conversations()
      .getByRole('button', { name: /Do you ship to Norway\?/ })
      .click();
    const banner = page.getByRole('status', { name: 'Messaging window' });
    await banner.getByText(/^Standard window:/).waitFor();
    await reply().waitFor();
    const person = world.emu.emulator.user(cleo.userId);
    await person.says(world.pageId, 'STOP');
    await world.settle();
    // Live: the open conversation follows the person's opt-out without a reload.
    await banner.getByText('Opted out: no replies').waitFor();
    await banner.getByText(/They can write START to opt in again\. Notes are still allowed\./).waitFor();
    await page.getByText('Replies refused: notes only').waitFor();
    await page.getByRole('textbox', { name: 'Note (only your team sees it)' }).waitFor();
    assert.equal(await reply().count(), 0);
    await person.says(world.pageId, 'START');
    await world.settle();
    await banner.getByText(/^Standard window:/).waitFor();
    await reply().waitFor();
  });

  it('loads older history on scrolling up, keeping in place the message that was in view', async () => {
    await world.longHistory('7000000000000042', 130, (i) => `Message ${i + 1}`);
    // Its unread count in the list is shown whole, in a badge as wide as it needs: 99+ past 99.
    const unread = conversations().getByLabel('130 unread');
    await unread.waitFor();
    assert.equal(await unread.innerText(), '99+');
    const cut = await unread.evaluate((el) =>
      [el, ...el.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth),
    );
    assert.equal(cut, false, 'the count is not cut short');
    await conversations()
      .getByRole('button', { name: /Message 130/ })
      .click();
    await timeline().getByRole('listitem', { name: 'Customer: Message 130' }).waitFor();
    assert.equal(await timeline().getByRole('listitem', { name: 'Customer: Message 80' }).count(), 0);
    const history = page.getByLabel('Conversation history');
    await history.hover();
    await page.mouse.wheel(0, -50_000);
    const firstLoaded = timeline().getByRole('listitem', { name: 'Customer: Message 81', exact: true });
    await timeline()
      .getByRole('listitem', { name: 'Customer: Message 80', exact: true })
      .waitFor({ state: 'attached' });
    // The message that was at the top before the older page arrived is still in view, not pushed away.
    const box = (await history.boundingBox())!;
    const seen = (await firstLoaded.boundingBox())!;
    assert.ok(seen.y >= box.y - 1 && seen.y < box.y + box.height, `Message 81 stays in view (${seen.y} in ${box.y}…)`);
    for (let i = 0; i < 5 && (await page.getByText('Beginning of the conversation').count()) === 0; i++) {
      await page.mouse.wheel(0, -50_000);
      await page.waitForTimeout(300);
    }
    await page.getByText('Beginning of the conversation').waitFor();
    await page.mouse.wheel(0, -50_000);
    const inPage = await timeline().getByRole('listitem').count();
    assert.ok(inPage < 130, `only the messages near the view are in the page (${inPage} of 130)`);
    await timeline().getByRole('listitem', { name: 'Customer: Message 1', exact: true }).waitFor({ state: 'attached' });
  });
});
