// Where the master key comes from: PAGESCOPE_MASTER_KEY, else <dataDir>/master.key written by `pagescope init`.
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { MASTER_KEY_BYTES } from './key-hierarchy.ts';

export const MASTER_KEY_ENV = 'PAGESCOPE_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HOW_TO_GENERATE = 'generate one with `openssl rand -base64 32`';

export interface MasterKeySource {
  env: Record<string, string | undefined>;
  dataDir: string;
}

function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!STANDARD_BASE64.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === MASTER_KEY_BYTES && bytes.toString('base64') === trimmed ? bytes : null;
}

function configError(reason: string, message: string): AppError {
  return new AppError('config_invalid', message, { reason });
}

/** The path of the key file inside a data dir. */
export function masterKeyPath(dataDir: string): string {
  return join(dataDir, MASTER_KEY_FILE);
}

/**
 * The 32-byte master key from the environment, else from the data dir's key file. Fails with a message naming the
 * variable or file and the fix when the key is missing, malformed or the file is readable by group or others.
 */
export function loadMasterKey({ env, dataDir }: MasterKeySource): Buffer {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined) {
    const key = decodeKey(fromEnv);
    if (!key) {
      throw configError(
        'invalid_master_key',
        `${MASTER_KEY_ENV} must be the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes; ${HOW_TO_GENERATE}`,
      );
    }
    return key;
  }
  return readKeyFile(masterKeyPath(dataDir));
}

function readKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw configError(
        'missing_master_key',
        `no master key: ${path} does not exist and ${MASTER_KEY_ENV} is not set; run \`pagescope init\` ` +
          `or set ${MASTER_KEY_ENV}`,
      );
    }
    throw configError('unreadable_master_key', `cannot read the master key file ${path}: ${(err as Error).message}`);
  }
  try {
    // fstat on the open descriptor checks the very file we read, not whatever the path points to a moment later.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw configError('unreadable_master_key', `${path} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      throw configError(
        'insecure_key_file',
        `${path} can be read by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); ` +
          `run \`chmod 600 ${path}\``,
      );
    }
    const key = decodeKey(readFileSync(fd, 'utf8'));
    if (!key) {
      throw configError(
        'invalid_master_key',
        `${path} must hold the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes; restore the original file`,
      );
    }
    return key;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new random master key to `<dataDir>/master.key` with mode 0600, all or nothing: it is written to a
 * temporary file first and then linked into place, which fails (`already_initialised`) if a key file exists.
 */
export function createMasterKeyFile(dataDir: string): { path: string; key: Buffer } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = masterKeyPath(dataDir);
  const temp = join(dataDir, `.${MASTER_KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const key = randomBytes(MASTER_KEY_BYTES);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AppError('already_initialised', `${path} already exists; refusing to overwrite a master key`);
    }
    throw err;
  } finally {
    unlinkSync(temp);
  }
  syncDirectory(dataDir);
  return { path, key };
}

function syncDirectory(dir: string): void {
  // Makes the new directory entry durable, so a crash right after init cannot lose the key the data depends on.
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
