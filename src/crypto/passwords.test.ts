import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordPolicy, hashPassword, needsRehash, verifyDecoy, verifyPassword } from './passwords.ts';
import { isAppError } from '../errors.ts';

test('a password hashes to a scrypt string that names its parameters and verifies only the same password', async () => {
  const stored = await hashPassword('correct horse battery');
  assert.match(stored, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{43}\$[A-Za-z0-9_-]{43}$/);
  assert.equal(await verifyPassword('correct horse battery', stored), true);
  assert.equal(await verifyPassword('correct horse batterY', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('two hashes of one password differ (a fresh salt each time)', async () => {
  assert.notEqual(await hashPassword('correct horse battery'), await hashPassword('correct horse battery'));
});

test('a hash made with other parameters still verifies, and is marked for re-hashing when weaker', async () => {
  const weaker = await hashPassword('correct horse battery', { ln: 12, r: 8, p: 1 });
  assert.equal(await verifyPassword('correct horse battery', weaker), true);
  assert.equal(needsRehash(weaker), true);
  assert.equal(needsRehash(await hashPassword('x'.repeat(12))), false);
});

test('a stored string that is not ours verifies nothing and throws nothing', async () => {
  for (const junk of [
    '',
    'plain',
    '$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA',
    '$argon2id$v=19$m=1,t=1,p=1$x$y',
  ]) {
    assert.equal(await verifyPassword('anything at all', junk), false, junk);
  }
});

test('the decoy check refuses every password', async () => {
  assert.equal(await verifyDecoy('correct horse battery'), false);
  assert.equal(await verifyDecoy(''), false);
});

test('the policy wants 12 characters or more and not the email', () => {
  const refusal = (password: string) => {
    try {
      checkPasswordPolicy(password, 'Ana@Example.com');
      return null;
    } catch (err) {
      assert.ok(isAppError(err) && err.code === 'validation_failed');
      return err.message;
    }
  };
  assert.match(refusal('short')!, /at least 12/);
  assert.match(refusal('ana@example.com')!, /not be the email/);
  assert.match(refusal('x'.repeat(1025))!, /at most 1024/);
  assert.equal(refusal('a long enough passphrase'), null);
  assert.equal(refusal('ábcdéfghíjkl'), null, 'counts characters, not bytes');
});
