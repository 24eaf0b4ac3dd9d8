import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, until, type RunningSandbox } from './support.ts';
import { DEMO_FAQ, DEMO_FAQ_PARAPHRASES, DEMO_OFF_TOPIC } from '../../src/sandbox/demo-faq.ts';
import { DEMO_PROFILE } from '../../src/sandbox/demo-assistant.ts';

interface Entry {
  id: string;
  question: string;
  status: string;
  answer: { text: string };
}
interface HistoryItem {
  direction: string;
  author: string;
  text: string | null;
}

const faqOf = async (s: RunningSandbox, pageId: string) =>
  ((await (await s.api(`/api/v1/pages/${pageId}/faq`)).json()) as { data: Entry[] }).data;

/** A new simulated person at the emulator acts on the Page; resolves with the contact pagescope made of them. */
async function personActs(s: RunningSandbox, pageId: string, action: Record<string, unknown>) {
  const person = await s.emu('/_emulator/users', { first_name: 'Sam', last_name: 'Silva' });
  const acted = await s.emu(`/_emulator/users/${String(person.id)}/actions`, { page_id: pageId, ...action });
  assert.ok(acted.psid, JSON.stringify(acted));
  const contact = await until('the contact', async () => {
    const r = await s.api(`/api/v1/pages/${pageId}/contacts/by-psid/${String(acted.psid)}`);
    return r.status === 200 ? ((await r.json()) as { id: string }) : undefined;
  });
  return { personId: String(person.id), contactId: contact.id };
}

/** Waits for the contact's history to hold an automated message with this text. */
const answered = (s: RunningSandbox, contactId: string, text: string) =>
  until(`the answer "${text}" in the history`, async () => {
    const r = await s.api(`/api/v1/contacts/${contactId}/messages?order=asc`);
    const items = ((await r.json()) as { data: HistoryItem[] }).data;
    return items.some((m) => m.direction === 'outbound' && m.text === text) ? items : undefined;
  });

test(
  "the sandbox's shop has the demo FAQ and a Messenger profile: ice breakers and paraphrases are answered, a restart undoes no edit",
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-assistant-'));
    const running: RunningSandbox[] = [];
    try {
      const first = await startSandbox(dir, ['--rate', '0']);
      running.push(first);
      const [shop, outlet] = first.ready.pages.map((p) => p.id) as [string, string];
      const entries = await faqOf(first, shop);
      assert.deepEqual(entries.map((e) => e.question).sort(), DEMO_FAQ.map((e) => e.question).sort());
      assert.ok(entries.every((e) => e.status === 'approved'));
      assert.deepEqual(await faqOf(first, outlet), []);
      const settings = (await (await first.api(`/api/v1/pages/${shop}/assistant`)).json()) as { enabled: boolean };
      assert.equal(settings.enabled, true);

      // The shop's rules leave the questions the FAQ covers to the assistant; the outlet keeps its keyword rules.
      const ruleNames = async (pageId: string) =>
        ((await (await first.api(`/api/v1/pages/${pageId}/automations`)).json()) as { data: { name: string }[] }).data
          .map((r) => r.name)
          .sort();
      assert.ok(!(await ruleNames(shop)).includes('Opening hours'));
      assert.ok((await ruleNames(outlet)).includes('Opening hours'));

      // The profile is pushed to Meta (the emulator), whose people then see its ice breakers.
      await until('the profile pushed', async () => {
        const p = (await (await first.api(`/api/v1/pages/${shop}/messenger-profile`)).json()) as {
          push: { status: string } | null;
        };
        return p.push?.status === 'pushed' ? true : undefined;
      });
      const iceBreaker = DEMO_PROFILE.ice_breakers[0]!.call_to_actions[0]!.question;
      const hours = DEMO_FAQ.find((e) => e.question === iceBreaker)!;
      const tapper = await personActs(first, shop, { type: 'ice_breaker', question: iceBreaker });
      const hoursHistory = await answered(
        first,
        tapper.contactId,
        'Our opening hours: Monday to Saturday, 9:00 to 19:00',
      );
      assert.ok(hoursHistory.some((m) => m.author === 'automation'));
      assert.ok(hours.personal === 'opening_hours');

      // A question in other words gets the entry's answer; an off-topic message is left for a person.
      const payment = DEMO_FAQ.find((e) => e.key === 'payment')!;
      const asker = await personActs(first, shop, { type: 'message', text: DEMO_FAQ_PARAPHRASES.payment![0] });
      await answered(first, asker.contactId, payment.answer.text);
      const offTopic = await personActs(first, shop, { type: 'message', text: DEMO_OFF_TOPIC[0] });
      await until('the off-topic question collected', async () => {
        const r = await first.api(`/api/v1/pages/${shop}/assistant/unanswered`);
        const list = ((await r.json()) as { data: { text: string }[] }).data;
        return list.some((q) => q.text === DEMO_OFF_TOPIC[0]) ? true : undefined;
      });
      const offTopicHistory = (
        (await (await first.api(`/api/v1/contacts/${offTopic.contactId}/messages`)).json()) as { data: HistoryItem[] }
      ).data;
      assert.ok(!offTopicHistory.some((m) => m.direction === 'outbound'));

      // An operator deletes one entry and rewrites another's answer.
      const sizes = entries.find((e) => e.question === DEMO_FAQ.find((d) => d.key === 'sizes')!.question)!;
      const address = entries.find((e) => e.question === DEMO_FAQ.find((d) => d.key === 'address')!.question)!;
      assert.equal((await first.api(`/api/v1/faq/${sizes.id}`, { method: 'DELETE' })).status, 204);
      const edited = await first.api(`/api/v1/faq/${address.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ answer: { text: 'We moved: 3 Quai Rambaud, Lyon.' } }),
      });
      assert.equal(edited.status, 200, await edited.text());
      assert.equal(await first.stop(), 0, first.stderr());

      // A restart neither brings the deleted entry back, nor duplicates or resets the others.
      const second = await startSandbox(dir, ['--rate', '0']);
      running.push(second);
      const after = await faqOf(second, shop);
      assert.equal(after.length, DEMO_FAQ.length - 1);
      assert.ok(!after.some((e) => e.id === sizes.id));
      assert.deepEqual(after.find((e) => e.id === address.id)!.answer, { text: 'We moved: 3 Quai Rambaud, Lyon.' });
      assert.equal(await second.stop(), 0, second.stderr());
    } finally {
      for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
