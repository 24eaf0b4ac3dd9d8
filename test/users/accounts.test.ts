// People who sign in: accounts, passwords, lockout, one-time links and sessions, against both databases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../support/app.ts';
import { testDialects } from '../support/db.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { isAppError } from '../../src/errors.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { disableUser } from '../../src/modules/users/disable-user.ts';
import { listUsers } from '../../src/modules/users/list-users.ts';
import { createLoginLink } from '../../src/modules/users/login-links.ts';
import { resolveSession, userActor } from '../../src/modules/users/sessions.ts';
import { setPassword } from '../../src/modules/users/set-password.ts';
import { signIn, signInWithLink, signOut } from '../../src/modules/users/sign-in.ts';
import { linkToken, readyAccount } from './support.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'a long enough passphrase';

/** The error code a promise rejects with (it must reject). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isAppError(err), String(err));
    return err.code;
  }
  assert.fail('expected a refusal');
}

for (const dialect of testDialects()) {
  describe(`people who sign in [${dialect}]`, () => {
    let app!: TestApp;
    let n = 0;
    // Each test signs in from its own address, so the per-address limit of one test never touches another.
    const from = () => ({ source: `192.0.2.${++n}`, requestId: null });
    const audit = (action: string, subjectId: string) =>
      app.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', action)
        .where('subject_id', '=', subjectId)
        .orderBy('id')
        .execute();
    before(async () => {
      app = await createTestApp(dialect);
    });
    after(async () => app.close());

    test('an account is created without a password, its email sealed, and listed with it opened', async () => {
      const r = await createUser(app.ctx, cliActor, { email: '  Ana@Example.COM ', role: 'agent' });
      assert.match(r.user.id, /^us_/);
      assert.equal(r.email, 'ana@example.com');
      assert.match(r.login_url, /^http:\/\/127\.0\.0\.1:8080\/login\/psl_/);
      const row = await app.ctx.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', r.user.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.password_hash, null);
      assert.equal(JSON.stringify(row).includes('ana@example'), false, 'no plaintext email in the row');
      const listed = (await listUsers(app.ctx, cliActor, null, 200)).rows.find((u) => u.row.id === r.user.id);
      assert.equal(listed?.email, 'ana@example.com');
      const created = await audit('user.create', r.user.id);
      assert.equal(created.length, 1);
      assert.equal(created[0]!.details!.includes('ana@'), false, 'the audit holds no email');
      assert.equal(
        await codeOf(createUser(app.ctx, cliActor, { email: 'ana@example.com', role: 'agent' })),
        'conflict',
      );
    });

    test('a person signs in with the right password, and gets one generic refusal for a wrong one or an unknown email', async () => {
      const { id } = await readyAccount(app.ctx, 'bea@example.com', PASSWORD);
      const ok = await signIn(app.ctx, { email: 'BEA@example.com', password: PASSWORD }, from());
      assert.equal(ok.user.id, id);
      assert.match(ok.session.token, /^pss_/);
      const messages: string[] = [];
      for (const attempt of [
        { email: 'bea@example.com', password: 'not the password' },
        { email: 'nobody@example.com', password: PASSWORD },
      ]) {
        const err = await signIn(app.ctx, attempt, from()).then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(isAppError(err) && err.code === 'invalid_credentials');
        messages.push(err.message);
      }
      assert.equal(messages[0], messages[1], 'unknown email and wrong password read alike');
      const logins = await audit('user.login', id);
      assert.deepEqual(logins.map((a) => a.outcome).slice(-2), ['success', 'failure']);
      for (const a of logins)
        assert.equal(a.details!.includes(PASSWORD) || a.details!.includes(ok.session.token), false);
    });

    test('five wrong passwords lock the account for 15 minutes, refused like a wrong password even with the right one', async () => {
      const { id } = await readyAccount(app.ctx, 'cem@example.com', PASSWORD);
      const req = from();
      for (let i = 0; i < 5; i++)
        assert.equal(
          await codeOf(signIn(app.ctx, { email: 'cem@example.com', password: `wrong ${i} password` }, req)),
          'invalid_credentials',
        );
      assert.equal(
        await codeOf(signIn(app.ctx, { email: 'cem@example.com', password: PASSWORD }, from())),
        'invalid_credentials',
      );
      const lockouts = await audit('user.lockout', id);
      assert.equal(lockouts.length, 1);
      assert.equal(JSON.parse(lockouts[0]!.details!).failures, 5);
      assert.equal(JSON.parse((await audit('user.login', id)).at(-1)!.details!).reason, 'locked');
      app.clock.advance(15 * 60_000);
      assert.equal((await signIn(app.ctx, { email: 'cem@example.com', password: PASSWORD }, from())).user.id, id);
    });

    test('an address that keeps failing is told to wait (429), whatever account it tries', async () => {
      const req = from();
      const codes: string[] = [];
      for (let i = 0; i < 22; i++)
        codes.push(await codeOf(signIn(app.ctx, { email: `guess${i}@example.com`, password: PASSWORD }, req)));
      assert.deepEqual(codes.slice(0, 20), Array(20).fill('invalid_credentials'));
      assert.deepEqual(codes.slice(20), ['too_many_attempts', 'too_many_attempts']);
    });

    test('a disabled account is refused generically and its sessions end at once', async () => {
      const { id } = await readyAccount(app.ctx, 'dan@example.com', PASSWORD);
      const s = await signIn(app.ctx, { email: 'dan@example.com', password: PASSWORD }, from());
      await resolveSession(app.ctx, s.session.token, null);
      await disableUser(app.ctx, cliActor, id);
      assert.equal(await codeOf(resolveSession(app.ctx, s.session.token, null)), 'session_expired');
      assert.equal(
        await codeOf(signIn(app.ctx, { email: 'dan@example.com', password: PASSWORD }, from())),
        'invalid_credentials',
      );
      const disabled = await audit('user.disable', id);
      assert.equal(JSON.parse(disabled[0]!.details!).sessions_revoked >= 1, true);
      await disableUser(app.ctx, cliActor, id);
      assert.equal((await audit('user.disable', id)).length, 1, 'disabling again writes nothing');
    });

    test('a session idle for 12 hours ends; one used within that stays open', async () => {
      await readyAccount(app.ctx, 'eda@example.com', PASSWORD);
      const idle = await signIn(app.ctx, { email: 'eda@example.com', password: PASSWORD }, from());
      const busy = await signIn(app.ctx, { email: 'eda@example.com', password: PASSWORD }, from());
      app.clock.advance(11 * HOUR);
      await resolveSession(app.ctx, busy.session.token, null);
      app.clock.advance(1 * HOUR);
      assert.equal(await codeOf(resolveSession(app.ctx, idle.session.token, null)), 'session_expired');
      assert.equal((await resolveSession(app.ctx, busy.session.token, null)).actor.role, 'agent');
    });

    test('a session ends 14 days after it opened however busy it is', async () => {
      await readyAccount(app.ctx, 'fay@example.com', PASSWORD);
      const s = await signIn(app.ctx, { email: 'fay@example.com', password: PASSWORD }, from());
      for (let t = 0; t < 14 * DAY - 10 * HOUR; t += 10 * HOUR) {
        app.clock.advance(10 * HOUR);
        await resolveSession(app.ctx, s.session.token, null);
      }
      app.clock.advance(10 * HOUR);
      assert.equal(await codeOf(resolveSession(app.ctx, s.session.token, null)), 'session_expired');
    });

    test('a sign-in link works once, and not after 24 hours', async () => {
      const r = await createUser(app.ctx, cliActor, { email: 'gus@example.com', role: 'analyst' });
      const token = linkToken(r.login_url);
      const first = await signInWithLink(app.ctx, token, from());
      assert.equal(first.needsPassword, true);
      assert.equal(await codeOf(signInWithLink(app.ctx, token, from())), 'invalid_credentials');
      const again = await createLoginLink(app.ctx, cliActor, r.user.id);
      app.clock.advance(24 * HOUR);
      assert.equal(await codeOf(signInWithLink(app.ctx, linkToken(again.login_url), from())), 'invalid_credentials');
      const uses = await audit('user.login_link', r.user.id);
      assert.deepEqual(
        uses.map((u) => [u.outcome, JSON.parse(u.details!).reason ?? null]),
        [
          ['success', null],
          ['failure', 'used'],
          ['failure', 'expired'],
        ],
      );
    });

    test('changing the password ends the other sessions, keeps this one, and needs the current password', async () => {
      const { id } = await readyAccount(app.ctx, 'hal@example.com', PASSWORD);
      const here = await signIn(app.ctx, { email: 'hal@example.com', password: PASSWORD }, from());
      const there = await signIn(app.ctx, { email: 'hal@example.com', password: PASSWORD }, from());
      const actor = userActor(here.user, here.session.id, null);
      assert.equal(
        await codeOf(setPassword(app.ctx, actor, { newPassword: 'another long passphrase' })),
        'validation_failed',
      );
      assert.equal(
        await codeOf(
          setPassword(app.ctx, actor, { currentPassword: 'wrong wrong wrong', newPassword: 'another long passphrase' }),
        ),
        'forbidden',
      );
      assert.equal(
        await codeOf(setPassword(app.ctx, actor, { currentPassword: PASSWORD, newPassword: 'hal@example.com' })),
        'validation_failed',
      );
      const r = await setPassword(app.ctx, actor, {
        currentPassword: PASSWORD,
        newPassword: 'another long passphrase',
      });
      assert.equal(r.sessionsRevoked, 2, "the other sign-in and the link's session");
      assert.equal(await codeOf(resolveSession(app.ctx, there.session.token, null)), 'session_expired');
      await resolveSession(app.ctx, here.session.token, null);
      assert.equal(
        await codeOf(signIn(app.ctx, { email: 'hal@example.com', password: PASSWORD }, from())),
        'invalid_credentials',
      );
      await signIn(app.ctx, { email: 'hal@example.com', password: 'another long passphrase' }, from());
      const changes = await audit('user.password_change', id);
      assert.deepEqual(
        changes.map((c) => c.outcome),
        ['success', 'failure', 'success'],
      );
      for (const c of changes) assert.equal(c.details!.includes('passphrase'), false);
    });

    test('signing out ends the session and is audited', async () => {
      const { id } = await readyAccount(app.ctx, 'ida@example.com', PASSWORD);
      const s = await signIn(app.ctx, { email: 'ida@example.com', password: PASSWORD }, from());
      await signOut(app.ctx, userActor(s.user, s.session.id, null));
      assert.equal(await codeOf(resolveSession(app.ctx, s.session.token, null)), 'session_expired');
      assert.equal((await audit('user.logout', id)).length, 1);
    });
  });
}
