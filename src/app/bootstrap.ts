import { existsSync, readdirSync } from 'node:fs';
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
import { initialiseKeys, openKeyring } from '../modules/keys/keyring-store.ts';
import type { AppContext } from './context.ts';
import { createMetrics } from './metrics.ts';
import { InboundHooks } from '../modules/ingest/hooks.ts';

export interface OpenAppOptions {
  logger?: Logger;
  clock?: Clock;
  /** Apply pending migrations first (serve and sandbox do; other commands expect an initialised database). */
  migrate?: boolean;
  env?: Record<string, string | undefined>;
}

/** Opens the database and the keyring; fails closed on a wrong master key before any request is served. */
export async function openApp(config: Config, opts: OpenAppOptions = {}): Promise<AppContext> {
  const env = opts.env ?? process.env;
  const master = loadMasterKey({ env: { ...env, PAGESCOPE_MASTER_KEY: config.masterKey ?? undefined }, dataDir: config.dataDir });
  const logger = opts.logger ?? createLogger(config.logLevel);
  makeDataDirPrivate(config.dataDir, logger);
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (opts.migrate) await migrateToLatest(database);
    const keyring = await openKeyring(database, master);
    master.fill(0);
    return {
      config,
      database,
      db: database.db,
      keyring,
      logger,
      clock: opts.clock ?? systemClock,
      metrics: createMetrics(),
      inboundHooks: new InboundHooks(),
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * Files created from here on are private (umask 077), and what an earlier run or another tool left readable to
 * others in the data dir is tightened (dirs 0700, files 0600), each change logged. A master key file readable by
 * others is refused before this runs (`loadMasterKey`): it may have been read already.
 */
function makeDataDirPrivate(dataDir: string, logger: Logger): void {
  privateUmask();
  for (const t of privateDataDir(dataDir)) logger.info({ path: t.path, from: t.from, to: t.to }, 'data dir: file mode tightened');
}

export interface InitResult {
  data_dir: string;
  database: 'sqlite' | 'postgres';
  key_source: 'env' | 'file';
  key_file: string | null;
  owner_token: string;
  owner_token_id: string;
}

/**
 * Creates the data dir, the master key file (mode 0600, unless the key comes from the environment), the database
 * schema, key version 1 and the first owner account. Refuses a data dir or database that is already initialised.
 */
export async function initialise(config: Config, opts: OpenAppOptions = {}): Promise<InitResult> {
  const env = opts.env ?? process.env;
  if (existsSync(config.dataDir) && readdirSync(config.dataDir).some((f) => f === 'master.key' || f.startsWith('pagescope.db'))) {
    throw new AppError('already_initialised', `${config.dataDir} is already initialised; use it as it is, or choose an empty --data-dir`);
  }
  makeDataDirPrivate(config.dataDir, opts.logger ?? createLogger(config.logLevel));
  const keyFromEnv = config.masterKey !== null;
  if (!keyFromEnv) createMasterKeyFile(config.dataDir);
  const master = loadMasterKey({ env: { ...env, PAGESCOPE_MASTER_KEY: config.masterKey ?? undefined }, dataDir: config.dataDir });
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrateToLatest(database);
    const clock = opts.clock ?? systemClock;
    if (!(await initialiseKeys(database.db, master, clock.now())) || (await countAccounts(database.db)) > 0) {
      throw new AppError('already_initialised', 'this database is already initialised; run `pagescope tokens create` for another token');
    }
  } finally {
    master.fill(0);
    await database.close();
  }
  const ctx = await openApp(config, { ...opts, env });
  try {
    const owner = await createToken(ctx, cliActor, { name: 'owner', role: 'owner' });
    return {
      data_dir: config.dataDir,
      database: ctx.database.dialect,
      key_source: keyFromEnv ? 'env' : 'file',
      key_file: keyFromEnv ? null : masterKeyPath(config.dataDir),
      owner_token: owner.token,
      owner_token_id: owner.id,
    };
  } finally {
    await ctx.database.close();
  }
}
