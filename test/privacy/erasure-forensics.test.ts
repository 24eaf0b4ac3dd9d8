import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { CLASSIFICATION } from '../../src/db/classification.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { enrichProfiles } from '../../src/modules/contacts/enrich-profiles.ts';
import { createPrivacyRequest } from '../../src/modules/privacy/create-request.ts';
import { runDueRequests } from '../../src/modules/privacy/run-requests.ts';
import type { Dialect } from '../../src/db/types.ts';
import { testDialects } from '../support/db.ts';
import { forensicRead } from '../support/forensics.ts';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { drain, emulatedApp } from '../ingest/support.ts';
import { postRow } from '../../src/modules/ingest/accept-post.ts';
import { processPendingPosts } from '../../src/modules/ingest/process-posts.ts';
import { insertPosts } from '../../src/modules/ingest/webhook.repository.ts';
import { eraseContactData } from '../../src/modules/privacy/erase-contact.ts';
import { currentIntakeKey } from '../../src/modules/privacy/intake-keys.ts';
import { seedContact } from './seed.ts';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const isKeyStore = (path: string) => /contact-keys\.db/.test(path);

/**
 * A backup as the README describes it, taken while the server runs: every file of the data dir (the database, its
 * WAL and shared memory, the webhook spool) except the contact key store, which is backed up apart and kept short;
 * on PostgreSQL, a dump of every table as pg_dump would write it (live rows only).
 */
async function takeBackup(app: TestApp, into: string): Promise<string[]> {
  for (const f of filesUnder(app.database.dataDir).filter((f) => !isKeyStore(f)))
    copyFileSync(f, join(into, f.slice(app.database.dataDir.length + 1).replaceAll('/', '_')));
  if (app.ctx.database.dialect === 'postgres') {
    const dump: Record<string, unknown[]> = {};
    for (const table of [...Object.keys(CLASSIFICATION), 'key_versions']) {
      dump[table] = (await sql`select * from ${sql.table(table)}`.execute(app.ctx.db).catch(() => ({ rows: [] }))).rows;
    }
    writeFileSync(join(into, 'pg-dump.json'), JSON.stringify(dump));
  }
  return filesUnder(into);
}

/**
 * Two people write (texts, an account-linking code; names through the profile), a backup is taken, the first is
 * erased, and everything is read as someone holding the master key would. `filler` messages each come first.
 */
async function eraseAndReadEverything(dialect: Dialect, filler: number): Promise<void> {
  const { app, emu, pages } = await emulatedApp(dialect);
  const backupDir = mkdtempSync(join(tmpdir(), 'pagescope-backup-'));
  try {
    const page = pages[0]!;
    const people = ['Person', 'Bystander'].map((role, i) => {
      const first = `Zeph${role}firstcanary`;
      const last = `Quill${role}lastcanary`;
      const user = emu.emulator.createUser({ first_name: first, last_name: last }).id;
      return {
        user,
        first,
        last,
        texts: [`${role} canary text ${i}a9c1: my order`, `${role} second canary ${i}e7b2`],
        code: `crm-${role.toLowerCase()}-code-${i}5e81d2`,
      };
    });
    for (let k = 0; k < filler; k++)
      for (const p of people) await emu.emulator.user(p.user).says(page, `${p.texts[0]} ${k} ${'x'.repeat(300)}`);
    for (const p of people) {
      for (const t of p.texts) await emu.emulator.user(p.user).says(page, t);
      await emu.emulator.user(p.user).links(page, p.code);
    }
    await drain(app);
    await enrichProfiles(app.ctx);
    await drain(app);
    const [person, bystander] = people.map((p) => ({ ...p, psid: emu.emulator.psid(p.user, page)! }));
    const contact = (
      await app.server.inject({
        url: `/api/v1/pages/${page}/contacts/by-psid/${person!.psid}`,
        headers: bearer(app.ownerToken),
      })
    ).json() as { id: string; first_name: string };
    assert.equal(contact.first_name, person!.first, 'the profile went all the way through');
    const valuesOf = (p: typeof person) => [p!.psid, p!.first, p!.last, ...p!.texts, p!.code];

    const dataDir = app.database.dataDir;
    const keyFiles = () => filesUnder(dataDir).filter(isKeyStore);
    const backup = await takeBackup(app, backupDir);
    // The reader finds a person's values before the erasure: it could find them after it.
    const before = forensicRead(app.ctx.keyring, [...filesUnder(dataDir), ...backup], keyFiles(), valuesOf(person));
    for (const v of valuesOf(person))
      assert.ok(before.found.has(v), `the forensic read does not find ${v} even before the erasure`);
    if (dialect === 'sqlite')
      assert.ok(
        backup.some((f) => f.endsWith('webhook-spool.ring')) && backup.some((f) => f.endsWith('-wal')),
        'the backup holds the spool and the WAL',
      );

    const request = await createPrivacyRequest(app.ctx, cliActor, { type: 'erasure', contact_id: contact.id }, 'cli');
    await runDueRequests(app.ctx);
    const done = await app.ctx.db
      .selectFrom('privacy_requests')
      .select('status')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    assert.equal(done.status, 'completed');

    const after = forensicRead(app.ctx.keyring, [...filesUnder(dataDir), ...backup], keyFiles(), [
      ...valuesOf(person),
      ...valuesOf(bystander),
    ]);
    const left = valuesOf(person)
      .filter((v) => after.found.has(v))
      .map((v) => `${v} in ${after.found.get(v)!.join(', ')}`);
    assert.deepEqual(left, [], 'values of the erased person still readable');
    for (const v of [bystander!.psid, bystander!.first, ...bystander!.texts])
      assert.ok(after.found.has(v), `the other person's ${v} is no longer readable`);
  } finally {
    await emu.close();
    await app.close();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

for (const dialect of testDialects()) {
  describe(`erasure reaches every copy [${dialect}]`, () => {
    it('leaves nothing of the person that the master key can read, in the data dir or in a backup taken before the erasure, while another person stays readable', async () => {
      await eraseAndReadEverything(dialect, 0);
    });

    // When SQLite rebalances the pages of webhook_posts while they still hold raw bodies, copies of those bodies
    // stay in the unused space of the rebuilt pages (secure_delete zeroes what is deleted, not what is moved); they
    // are sealed under an intake key, which the erasure retires and destroys. A PostgreSQL dump holds live rows only.
    it('does so too after enough traffic that the database rebalances its pages', async () => {
      await eraseAndReadEverything(dialect, 40);
    });

    it('drops the raw data kept without a contact that names the person (failed bodies, unhandled events), and keeps the others', async () => {
      const app = await createTestApp(dialect);
      try {
        const person = await seedContact(app.ctx, { contactLayer: true });
        const bystander = await seedContact(app.ctx, { contactLayer: true });
        const row = (raw: Buffer, digest: string, at: number) =>
          postRow(app.ctx.keyring, currentIntakeKey(app.ctx), raw, digest, at);
        // Bodies a processor could not apply (as one that changed would leave them): kept, and linked to nobody.
        const failing = (psid: string, n: number) =>
          row(
            Buffer.from(JSON.stringify({ object: 'page', sender: { id: psid } })),
            String(n).repeat(64),
            app.clock.now(),
          );
        const rows = [failing(person.psid, 1), failing(bystander.psid, 2)];
        // And events of a kind pagescope does not handle, kept raw with no contact.
        const unknown = (p: typeof person, n: number) =>
          row(
            Buffer.from(
              JSON.stringify({
                object: 'page',
                entry: [
                  {
                    id: p.pageId,
                    time: 1,
                    messaging: [{ sender: { id: p.psid }, recipient: { id: p.pageId }, timestamp: 1, mystery: { n } }],
                  },
                ],
              }),
            ),
            String(n).repeat(64),
            app.clock.now(),
          );
        const personsUnknown = unknown(person, 3);
        await insertPosts(app.ctx.db, [...rows, personsUnknown, unknown(bystander, 4)]);
        while ((await processPendingPosts(app.ctx)) > 0);
        const kept = async () =>
          (
            await app.ctx.db
              .selectFrom('webhook_posts')
              .select(['id', 'status', 'body_enc'])
              .where(
                'id',
                'in',
                rows.map((r) => r.id),
              )
              .orderBy('id')
              .execute()
          ).map((r) => [r.id === rows[0]!.id ? 'person' : 'bystander', r.status, r.body_enc !== null]);
        // Both people write to the same Page: what tells their events apart is the PSID inside.
        const rawEvents = async () =>
          (
            await app.ctx.db
              .selectFrom('webhook_events')
              .select(['post_id', 'raw_enc'])
              .where('kind', '=', 'unknown')
              .execute()
          ).map((r) => [r.post_id === personsUnknown.id ? 'person' : 'bystander', r.raw_enc !== null]);
        assert.deepEqual(await kept(), [
          ['person', 'failed', true],
          ['bystander', 'failed', true],
        ]);
        assert.equal((await rawEvents()).filter(([, raw]) => raw).length, 2);
        const counts = await eraseContactData(app.ctx, person.contactId);
        assert.deepEqual(await kept(), [
          ['person', 'purged', false],
          ['bystander', 'failed', true],
        ]);
        assert.deepEqual((await rawEvents()).sort(), [
          ['bystander', true],
          ['person', false],
        ]);
        assert.equal(
          counts.raw_deliveries,
          3,
          'the delivery its events came from, the failed one and the unhandled event',
        );
      } finally {
        await app.close();
      }
    });
  });
}
