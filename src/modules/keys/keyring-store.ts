import type { Database } from '../../db/database.ts';
import { Keyring, computeKeyCheck, type WrappedKeyVersion } from '../../crypto/index.ts';
import { AppError } from '../../errors.ts';
import type { Executor } from '../../db/types.ts';
import { getMeta, insertKeyVersion, loadKeyVersions, setMeta } from './keys.repository.ts';

const KEY_CHECK = 'key_check';

/**
 * Opens the keyring stored in the database. A wrong master key fails here, before anything is decrypted; a
 * database that was never initialised fails with the command that fixes it.
 */
export async function openKeyring(database: Database, master: Buffer): Promise<Keyring> {
  const check = await getMeta(database.db, KEY_CHECK);
  if (check === undefined)
    throw new AppError(
      'config_invalid',
      'this database has no keys yet: run `pagescope init` (or `pagescope migrate` then `init`) first',
    );
  return Keyring.open(master, await loadKeyVersions(database.db), check);
}

/** Stores the key check and version 1 on a new installation; does nothing if keys already exist. */
/** Whether the database holds keys already (some data dir's master key belongs to it). */
export async function keysInitialised(db: Executor): Promise<boolean> {
  return (await getMeta(db, KEY_CHECK)) !== undefined;
}

export async function initialiseKeys(db: Executor, master: Buffer, now: number): Promise<boolean> {
  if ((await getMeta(db, KEY_CHECK)) !== undefined) return false;
  await setMeta(db, KEY_CHECK, computeKeyCheck(master));
  const v1: WrappedKeyVersion = { ...Keyring.wrapNewVersion(master, 1), createdAt: now };
  await insertKeyVersion(db, v1);
  return true;
}

/** Loads versions another process added (e.g. `keys rotate` while serving), so new writes use the newest key. */
/** How often every running server loads key versions added since it started (`keys rotate` waits this long). */
export const KEY_REFRESH_MS = 5000;

export async function refreshKeyring(db: Executor, keyring: Keyring): Promise<void> {
  for (const v of await loadKeyVersions(db)) keyring.addVersion(v);
}
