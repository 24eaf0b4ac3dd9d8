import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import type { Keyring } from '../crypto/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../lib/time.ts';
import type { Metrics } from './metrics.ts';
import type { InboundHooks } from '../modules/ingest/hooks.ts';
import type { WebhookIntake } from '../intake/webhook-intake.ts';

/**
 * Everything a command needs, passed explicitly: no module reaches for globals, so tests build one per case and
 * several apps can run in one process.
 */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  keyring: Keyring;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  /** Modules that react to new inbound events inside the processing transaction (keywords, automations). */
  inboundHooks: InboundHooks;
  /** How webhook POSTs become durable here, chosen once by openApp (src/intake). */
  intake: WebhookIntake;
}
