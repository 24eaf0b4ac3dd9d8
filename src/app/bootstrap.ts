import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { Config } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createMasterKeyFile, loadMasterKey, masterKeyPath } from '../crypto/index.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { privateDataDir, privateUmask } from '../lib/private-files.ts';
import { systemClock, type Clock } from '../lib/time.ts';
import { AppError } from '../errors.ts';
import { cliActor } from '../modules/access/actor.ts';
import { createToken } from '../modules/access/create-token.ts';
import { countAccounts } from '../modules/access/tokens.repository.ts';
import { createUser } from '../modules/users/create-user.ts';
import { validEmail } from '../modules/users/user-email.ts';
import { initialiseKeys, keysInitialised, openKeyring } from '../modules/keys/keyring-store.ts';
import { createContext, type AppContext } from '../kernel/context.ts';
import { createMetrics } from '../kernel/metrics.ts';
import { notifyPostStored } from '../kernel/notifier.ts';
import { openWebhookIntake } from '../intake/index.ts';

export interface OpenAppOptions {
  logger?: Logger;
  clock?: Clock;
  /** Apply pending migrations first (serve and sandbox do; other commands expect an initialised database). */
  migrate?: boolean;
  env?: Record<string, string | undefined>;
  /**
   * Whether this process answers Meta's webhook POSTs from the spool (serve's web role). Only such a process takes the
   * spool (and moves what an earlier run left in it); any other stores a POST straight into the database.
   */
  webhookSpool?: boolean;
  /** Options of the app's metrics (a worker thread leaves the process's own metrics to the main thread). */
  metrics?: { processDefaults?: boolean };
  /** SQLite: where WAL checkpoints run (see OpenOptions.walCheckpoints); inline unless told. */
  walCheckpoints?: 'inline' | 'thread' | 'elsewhere';
  /** SQLite: the count of writers waiting for the lock, shared with the thread that opened the app first. */
  lockWaiters?: SharedArrayBuffer;
}

/**
 * Opens the database, the keyring and the context's resources (the contact key store, the webhook intake);
 * `ctx.close()` closes them all. Fails closed on a wrong master key before any request is served.
 */
export async function openApp(config: Config, opts: OpenAppOptions = {}): Promise<AppContext> {
  const env = opts.env ?? process.env;
  const master = loadMasterKey({
    env: { ...env, PAGESCOPE_MASTER_KEY: config.masterKey ?? undefined },
    dataDir: config.dataDir,
  });
  const logger = opts.logger ?? createLogger(config.logLevel);
  makeDataDirPrivate(config.dataDir, logger);
  const database = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    walCheckpoints: opts.walCheckpoints ?? 'inline',
    ...(opts.lockWaiters && { lockWaiters: opts.lockWaiters }),
  });
  let ctx: AppContext | null = null;
  try {
    if (opts.migrate) await migrateToLatest(database);
    const keyring = await openKeyring(database, master);
    master.fill(0);
    ctx = createContext(
      { config, database, keyring, logger, clock: opts.clock ?? systemClock, metrics: createMetrics(opts.metrics) },
      { ownsDatabase: true },
    );
    return await withWebhookIntake(ctx, opts.webhookSpool ?? false);
  } catch (err) {
    await (ctx ? ctx.close() : database.close());
    throw err;
  }
}

/**
 * Completes a context with its webhook intake, chosen once here (see src/intake): the intake needs the context it
 * belongs to, so it comes last. A POST it stores wakes this app's processor. `spool`: see OpenAppOptions.webhookSpool.
 */
export async function withWebhookIntake(ctx: AppContext, spool: boolean, spoolRetryMs?: number): Promise<AppContext> {
  ctx.intake = await openWebhookIntake(ctx, {
    spool,
    onStored: () => notifyPostStored(ctx),
    ...(spoolRetryMs !== undefined && { spoolRetryMs }),
  });
  return ctx;
}

/**
 * Files created from here on are private (umask 077), and what an earlier run or another tool left readable to
 * others in the data dir is tightened (dirs 0700, files 0600), each change logged. A master key file readable by
 * others is refused before this runs (`loadMasterKey`): it may have been read already.
 */
function makeDataDirPrivate(dataDir: string, logger: Logger): void {
  // A worker thread (serve's processing) opens the app after the main thread did this, and may not set the umask.
  if (!isMainThread) return;
  privateUmask();
  for (const t of privateDataDir(dataDir))
    logger.info({ path: t.path, from: t.from, to: t.to }, 'data dir: file mode tightened');
}

export interface InitResult {
  data_dir: string;
  database: 'sqlite' | 'postgres';
  key_source: 'env' | 'file';
  key_file: string | null;
  owner_token: string;
  owner_token_id: string;
  /** The owner's account for signing in, and its one-time sign-in link (24 hours). */
  owner_user_id: string;
  owner_email: string;
  login_url: string;
}

export interface InitOptions extends OpenAppOptions {
  /** The owner account's email; default `owner@localhost`. */
  ownerEmail?: string;
}

/** What `init` writes in the data dir; whatever of it a failed init made is removed again. */
const INIT_FILES =
  /^(master\.key|\.master\.key\..*\.tmp|pagescope\.db(-wal|-shm|-journal)?|contact-keys\.db(-wal|-shm|-journal)?)$/;

/** Removes what a failed init made in the data dir (and the dir, if it made that too and nothing else is in it). */
function undoInit(dataDir: string, dirExisted: boolean): void {
  if (!existsSync(dataDir)) return;
  for (const f of readdirSync(dataDir)) if (INIT_FILES.test(f)) rmSync(join(dataDir, f), { force: true });
  if (!dirExisted && readdirSync(dataDir).length === 0) rmdirSync(dataDir);
}

/** The owner token that completes an init (a new one, or the one an interrupted init did not get to create). */
async function createOwner(
  config: Config,
  opts: InitOptions,
  env: Record<string, string | undefined>,
  keyFromEnv: boolean,
): Promise<InitResult> {
  const ctx = await openApp(config, { ...opts, env });
  try {
    const owner = await createToken(ctx, cliActor, { name: 'owner', role: 'owner' });
    const person = await createUser(ctx, cliActor, { email: opts.ownerEmail ?? 'owner@localhost', role: 'owner' });
    return {
      data_dir: config.dataDir,
      database: ctx.database.dialect,
      key_source: keyFromEnv ? 'env' : 'file',
      key_file: keyFromEnv ? null : masterKeyPath(config.dataDir),
      owner_token: owner.token,
      owner_token_id: owner.id,
      owner_user_id: person.user.id,
      owner_email: person.email,
      login_url: person.login_url,
    };
  } finally {
    await ctx.close();
  }
}

/** An init that stopped after the keys were stored and before the owner existed: its master key opens the database. */
async function interruptedInit(
  config: Config,
  opts: OpenAppOptions,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  let ctx: AppContext;
  try {
    ctx = await openApp(config, { ...opts, env, logger: opts.logger ?? createLogger('silent') });
  } catch {
    return false;
  }
  try {
    return (await countAccounts(ctx.db)) === 0;
  } catch {
    return false;
  } finally {
    await ctx.close();
  }
}

/**
 * Creates the data dir, the master key file (mode 0600, unless the key comes from the environment), the database
 * schema, key version 1 and the first owner: an API token and an account that signs in through a one-time link. All or nothing: the database is reached and found new before a
 * key is written (a data dir is refused against a database that another one initialised), and an init that fails
 * removes what it wrote, except when the keys already went into a PostgreSQL database: then the key file stays with
 * them, and the next `init` on that data dir finishes the job. Refuses a data dir that is already initialised.
 */
export async function initialise(config: Config, opts: InitOptions = {}): Promise<InitResult> {
  const env = opts.env ?? process.env;
  // A bad owner email is refused before anything is written.
  if (opts.ownerEmail !== undefined) validEmail(opts.ownerEmail);
  const keyFromEnv = config.masterKey !== null;
  const dirExisted = existsSync(config.dataDir);
  if (dirExisted && readdirSync(config.dataDir).some((f) => f === 'master.key' || f.startsWith('pagescope.db'))) {
    if (await interruptedInit(config, opts, env)) return createOwner(config, opts, env, keyFromEnv);
    throw new AppError(
      'already_initialised',
      `${config.dataDir} is already initialised; use it as it is, or choose an empty --data-dir`,
    );
  }
  makeDataDirPrivate(config.dataDir, opts.logger ?? createLogger(config.logLevel));
  let keysStored = false;
  let dialect: 'sqlite' | 'postgres' | null = null;
  try {
    const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    dialect = database.dialect;
    try {
      await migrateToLatest(database);
      if ((await keysInitialised(database.db)) || (await countAccounts(database.db)) > 0) {
        throw new AppError(
          'already_initialised',
          'this database is already initialised by another data dir; use that data dir (or its PAGESCOPE_MASTER_KEY), or point DATABASE_URL at an empty database',
        );
      }
      if (!keyFromEnv) createMasterKeyFile(config.dataDir);
      const master = loadMasterKey({
        env: { ...env, PAGESCOPE_MASTER_KEY: config.masterKey ?? undefined },
        dataDir: config.dataDir,
      });
      try {
        keysStored = await initialiseKeys(database.db, master, (opts.clock ?? systemClock).now());
      } finally {
        master.fill(0);
      }
      if (!keysStored)
        throw new AppError('already_initialised', 'this database was initialised by another init meanwhile');
    } finally {
      await database.close();
    }
    return await createOwner(config, opts, env, keyFromEnv);
  } catch (err) {
    // Keys stored in PostgreSQL need this data dir's key file: keep it, and let the next init finish.
    if (keysStored && dialect === 'postgres')
      throw new AppError(
        'init_incomplete',
        `init stopped before the owner token was created (${err instanceof Error ? err.message : String(err)}); run \`pagescope init\` again with the same data dir to finish`,
      );
    undoInit(config.dataDir, dirExisted);
    throw err;
  }
}
