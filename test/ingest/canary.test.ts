import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { bearer } from '../support/app.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { drain, emulatedApp } from './support.ts';

describe('personal data at rest and in logs [sqlite]', () => {
  it('leaves no trace of a canary PSID, name, message text or account-linking code in the database files, the WAL, the webhook spool or the log', async () => {
    const { app, emu, pages } = await emulatedApp('sqlite');
    const pageId = pages[0]!;
    const first = 'Zephyrinacanary';
    const last = 'Quillbottomwick';
    const text = 'canary text 7f3a9c: my secret order';
    try {
      const user = emu.emulator.createUser({ first_name: first, last_name: last }).id;
      await emu.emulator.user(user).says(pageId, text);
      await emu.emulator.user(user).quickReply(pageId, `${text} again`, 'QR_CANARY');
      await emu.emulator.user(user).reads(pageId);
      const code = 'crm-canary-code-5e81d2';
      await emu.emulator.user(user).links(pageId, code);
      await drain(app);
      await enrichProfiles(app.ctx);
      const psid = emu.emulator.psid(user, pageId)!;
      const found = await app.server.inject({
        url: `/api/v1/pages/${pageId}/contacts/by-psid/${psid}`,
        headers: bearer(app.ownerToken),
      });
      assert.equal(found.json().first_name, first, 'the canaries went all the way through');
      assert.equal(
        (
          await app.server.inject({ url: `/api/v1/pages/${pageId}/contacts?q=zephyr`, headers: bearer(app.ownerToken) })
        ).json().data.length,
        1,
      );
      const history = await app.server.inject({
        url: `/api/v1/contacts/${found.json().id}/messages`,
        headers: bearer(app.ownerToken),
      });
      assert.ok(history.body.includes(text));

      const file = app.database.file!;
      const spool = join(dirname(file), 'webhook-spool.ring');
      const files = [file, `${file}-wal`, `${file}-shm`, spool].filter((f) => existsSync(f));
      assert.ok(
        files.some((f) => f.endsWith('-wal')),
        'the WAL is scanned while the app is open',
      );
      assert.ok(files.includes(spool), 'the webhook spool, where every POST is first written, is scanned');
      const canaries = [psid, first, last, 'canary text 7f3a9c', first.toLowerCase().slice(0, 6), code];
      const scan = () => {
        for (const f of files.filter((f) => existsSync(f))) {
          const bytes = readFileSync(f);
          for (const c of canaries) assert.equal(bytes.includes(Buffer.from(c, 'utf8')), false, `${c} found in ${f}`);
        }
      };
      scan();
      const log = app.logs.text();
      assert.ok(log.length > 0);
      for (const c of canaries) assert.equal(log.includes(c), false, `${c} found in the log`);
      await app.database.close();
      scan();
    } finally {
      await emu.close();
      await app.server.close();
      await app.database.destroy().catch(() => {});
    }
  });
});
