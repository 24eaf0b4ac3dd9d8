// The demo assistant on a demo Page, in process: what a sandbox made before the assistant existed gets on its next
// start (its keyword rules for the FAQ's questions step aside), on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/db.ts';
import type { TestApp } from '../support/app.ts';
import type { EmulatorServer } from '../../src/emulator/index.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { listAutomations } from '../../src/modules/automations/automations.ts';
import { listFaq, getAssistantSettings } from '../../src/modules/assistant/faq.ts';
import { getMessengerProfile } from '../../src/modules/messenger-profile/messenger-profile.ts';
import { DEMO_RULES, seedDemoAutomations, yieldDemoRulesToAssistant } from '../../src/sandbox/demo-automation.ts';
import { DEMO_PROFILE, seedDemoAssistant } from '../../src/sandbox/demo-assistant.ts';
import { DEMO_FAQ } from '../../src/sandbox/demo-faq.ts';
import { emulatedApp } from '../ingest/support.ts';

for (const dialect of testDialects()) {
  describe(`the sandbox's demo assistant [${dialect}]`, () => {
    let app!: TestApp;
    let emu!: EmulatorServer;
    let pages: string[] = [];

    before(async () => {
      ({ app, emu, pages } = await emulatedApp(dialect));
    });
    after(async () => {
      await app.close();
      await emu.close();
    });

    test('a fresh shop Page gets the demo rules without the keyword rules the assistant covers', async () => {
      await seedDemoAutomations(app.ctx, pages[1]!, true);
      const names = (await listAutomations(app.ctx, cliActor, pages[1]!)).map((r) => r.name).sort();
      assert.deepEqual(
        names,
        DEMO_RULES.filter((r) => !r.faqCovers)
          .map((r) => r.name)
          .sort(),
      );
    });

    test("an older sandbox's shop gets the FAQ, the assistant and the profile, and its covering rules are disabled", async () => {
      const shop = pages[0]!;
      await seedDemoAutomations(app.ctx, shop);
      await yieldDemoRulesToAssistant(app.ctx, shop);
      await seedDemoAssistant(app.ctx, shop);
      const rules = await listAutomations(app.ctx, cliActor, shop);
      assert.equal(rules.length, DEMO_RULES.length, 'disabled, not deleted');
      const covered = new Set(DEMO_RULES.filter((r) => r.faqCovers).map((r) => r.name));
      for (const r of rules) assert.equal(r.enabled, !covered.has(r.name), r.name);
      const entries = await listFaq(app.ctx, cliActor, shop);
      assert.deepEqual(entries.map((e) => e.question).sort(), DEMO_FAQ.map((e) => e.question).sort());
      assert.ok(entries.every((e) => e.status === 'approved'));
      const settings = await getAssistantSettings(app.ctx, cliActor, shop);
      assert.equal(settings.enabled, true);
      const profile = await getMessengerProfile(app.ctx, cliActor, shop);
      assert.deepEqual(profile.ice_breakers, DEMO_PROFILE.ice_breakers);
      assert.equal(profile.push?.status, 'pending');
    });

    test('loading it again adds no entry the Page has by its question', async () => {
      await seedDemoAssistant(app.ctx, pages[0]!);
      assert.equal((await listFaq(app.ctx, cliActor, pages[0]!)).length, DEMO_FAQ.length);
    });
  });
}
