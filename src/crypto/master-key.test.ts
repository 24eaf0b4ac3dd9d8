import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { createMasterKeyFile, loadMasterKey, masterKeyPath } from './master-key.ts';

function withDataDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-key-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusal(reason: string, ...phrases: string[]): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'config_invalid');
    assert.equal(err.details?.reason, reason);
    for (const phrase of phrases)
      assert.ok(err.message.includes(phrase), `"${err.message}" should mention "${phrase}"`);
    return true;
  };
}

test('a base64 key of 32 bytes in PAGESCOPE_MASTER_KEY is the master key', () => {
  const key = randomBytes(32);
  assert.deepEqual(
    loadMasterKey({ env: { PAGESCOPE_MASTER_KEY: key.toString('base64') }, dataDir: '/nonexistent' }),
    key,
  );
});

test('a trailing newline around the env key is tolerated', () => {
  const key = randomBytes(32);
  const env = { PAGESCOPE_MASTER_KEY: `${key.toString('base64')}\n` };
  assert.deepEqual(loadMasterKey({ env, dataDir: '/nonexistent' }), key);
});

test('an env key of the wrong length is refused with the variable and the fix, and without the value', () => {
  for (const bytes of [16, 31, 33, 64]) {
    const value = randomBytes(bytes).toString('base64');
    assert.throws(
      () => loadMasterKey({ env: { PAGESCOPE_MASTER_KEY: value }, dataDir: '/nonexistent' }),
      (err) =>
        refusal('invalid_master_key', 'PAGESCOPE_MASTER_KEY', 'openssl rand -base64 32')(err) &&
        !(err as Error).message.includes(value),
    );
  }
});

test('an env key that is not base64, or is empty, is refused', () => {
  for (const value of ['', 'not base64 at all!', '*'.repeat(44), randomBytes(32).toString('hex')]) {
    assert.throws(
      () => loadMasterKey({ env: { PAGESCOPE_MASTER_KEY: value }, dataDir: '/nonexistent' }),
      refusal('invalid_master_key', 'PAGESCOPE_MASTER_KEY'),
    );
  }
});

test('the env key wins over a key file in the data dir', () => {
  withDataDir((dir) => {
    createMasterKeyFile(dir);
    const key = randomBytes(32);
    assert.deepEqual(loadMasterKey({ env: { PAGESCOPE_MASTER_KEY: key.toString('base64') }, dataDir: dir }), key);
  });
});

test('a created key file has mode 0600 and loads back as the same key', () => {
  withDataDir((dir) => {
    const { path, key } = createMasterKeyFile(dir);
    assert.equal(path, masterKeyPath(dir));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(key.length, 32);
    assert.deepEqual(loadMasterKey({ env: {}, dataDir: dir }), key);
  });
});

test('creating a key file where one exists is refused and leaves the original intact', () => {
  withDataDir((dir) => {
    const { path, key } = createMasterKeyFile(dir);
    const before = readFileSync(path, 'utf8');
    assert.throws(
      () => createMasterKeyFile(dir),
      (err) => err instanceof AppError && err.code === 'already_initialised',
    );
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(loadMasterKey({ env: {}, dataDir: dir }), key);
    assert.deepEqual(readdirSync(dir), ['master.key'], 'no temporary file is left behind');
  });
});

test('a key file readable by group or others is refused, naming the file and chmod 600', () => {
  withDataDir((dir) => {
    const { path } = createMasterKeyFile(dir);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(path, mode);
      assert.throws(() => loadMasterKey({ env: {}, dataDir: dir }), refusal('insecure_key_file', path, 'chmod 600'));
    }
  });
});

test('a missing key file tells the operator to run pagescope init', () => {
  withDataDir((dir) => {
    assert.throws(
      () => loadMasterKey({ env: {}, dataDir: dir }),
      refusal('missing_master_key', 'pagescope init', 'PAGESCOPE_MASTER_KEY'),
    );
  });
});

test('a key file holding something other than 32 base64 bytes is refused', () => {
  withDataDir((dir) => {
    writeFileSync(join(dir, 'master.key'), randomBytes(16).toString('base64'), { mode: 0o600 });
    assert.throws(
      () => loadMasterKey({ env: {}, dataDir: dir }),
      refusal('invalid_master_key', join(dir, 'master.key')),
    );
  });
});
