import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../../test/support/db.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { cliActor } from '../access/actor.ts';
import { registerPage, decryptPageToken } from '../pages/register-page.ts';
import { addKeyVersion, keyStatus, rewrapPending, rotationPending } from './rotate-keys.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';

for (const dialect of testDialects()) {
  test(`key rotation [${dialect}]`, async (t) => {
    let app!: TestApp;
    before(async () => {
      app = await createTestApp(dialect);
    });
    after(async () => app.close());

    await t.test(
      're-wraps every value under concurrent writes: all decrypt, the old version holds 0 rows',
      async () => {
        for (let i = 0; i < 300; i++)
          await registerPage(app.ctx, cliActor, {
            id: String(100000 + i),
            name: `Page ${i}`,
            access_token: `EAA-token-${i}-v0`,
          });
        assert.deepEqual(
          (await keyStatus(app.ctx)).map((v) => [v.version, v.rows]),
          [[1, 300]],
        );

        const version = await addKeyVersion(app.ctx, cliActor, app.masterKey);
        assert.equal(version, 2);
        let writes = 0;
        let stop = false;
        const writer = (async () => {
          // Replaces tokens while the re-wrap walks the table; these writes must survive, under whichever key.
          while (!stop) {
            const i = writes % 300;
            await registerPage(app.ctx, cliActor, {
              id: String(100000 + i),
              name: `Page ${i}`,
              access_token: `EAA-token-${i}-w${writes}`,
            });
            writes++;
            // better-sqlite3 answers synchronously: yield like a real request would, or this loop starves the re-wrap.
            await new Promise((r) => setImmediate(r));
          }
        })();
        const result = await rewrapPending(app.ctx);
        stop = true;
        await writer;
        // Writes made after the last pass used the new key already (this process refreshed its keyring).
        assert.ok(result?.completed, 'the re-wrap completed');
        assert.ok(writes > 0, 'the writer ran during the re-wrap');

        const status = await keyStatus(app.ctx);
        assert.deepEqual(
          status.map((v) => [v.version, v.rows]),
          [
            [1, 0],
            [2, 300],
          ],
        );
        assert.equal(await rotationPending(app.ctx), false);
        const rows = await app.ctx.db.selectFrom('pages').selectAll().execute();
        for (const row of rows) assert.match(decryptPageToken(app.ctx, row), /^EAA-token-\d+-(v0|w\d+)$/);
      },
    );

    await t.test('moves the per-contact keys, kept outside the database, to the new version too', async () => {
      const field = { table: 'messages', column: 'text_enc', pageId: '100000', rowId: 'msg_rotation' };
      const sealed = sealContactField(app.ctx, 'ct_rotation', 'hello', field);
      const before = await keyStatus(app.ctx);
      await addKeyVersion(app.ctx, cliActor, app.masterKey);
      const result = await rewrapPending(app.ctx);
      assert.ok(result?.completed);
      const after = await keyStatus(app.ctx);
      assert.ok(
        before.find((v) => v.version === 2)!.rows > after.find((v) => v.version === 2)!.rows,
        'the contact key left version 2',
      );
      assert.deepEqual(
        after.filter((v) => !v.current).map((v) => v.rows),
        [0, 0],
      );
      assert.equal(openContactField(app.ctx, 'ct_rotation', sealed, field), 'hello');
    });

    await t.test('audits the rotation', async () => {
      const audit = await app.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', '=', 'keys.rotate')
        .execute();
      assert.equal(audit.length, 2);
    });
  });
}
