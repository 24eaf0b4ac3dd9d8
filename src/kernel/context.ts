import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import type { Keyring } from '../crypto/index.ts';
import { ContactKeyStore } from '../crypto/contact-key-store.ts';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../lib/time.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { InboundHooks } from './inbound-hooks.ts';
import { NO_INTAKE, type WebhookIntake } from './webhook-intake.ts';

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
  /** The per-contact (and intake) key store, a file of its own beside the database; opened with the context. */
  contactKeys: ContactKeyStore;
  /** How webhook POSTs become durable here: chosen once by openApp (src/intake); NO_INTAKE until then. */
  intake: WebhookIntake;
  /**
   * Closes what the context owns, in order: the webhook intake (its threads, the spool), the contact key store, and
   * the database when it was given to own; idempotent.
   */
  close(): Promise<void>;
}

export interface ContextParts {
  config: Config;
  database: Database;
  keyring: Keyring;
  logger: Logger;
  clock: Clock;
  metrics?: Metrics;
}

export interface ContextOptions {
  /** `ctx.close()` closes the database too (openApp's contexts); a test that made the database destroys it itself. */
  ownsDatabase?: boolean;
}

/** Where the contact keys live: PAGESCOPE_CONTACT_KEYS_FILE, else `contact-keys.db` beside the data. */
export function contactKeysFile(config: Config): string {
  return config.privacy?.contactKeysFile ?? join(config.dataDir, 'contact-keys.db');
}

/**
 * Builds a context and opens the resources it owns; its `close()` is the one path that closes them, so no caller
 * closes a store by hand, and a context is never used half-open.
 */
export function createContext(parts: ContextParts, opts: ContextOptions = {}): AppContext {
  const contactKeys = ContactKeyStore.open(contactKeysFile(parts.config), parts.keyring);
  let closing: Promise<void> | null = null;
  const ctx: AppContext = {
    config: parts.config,
    database: parts.database,
    db: parts.database.db,
    keyring: parts.keyring,
    logger: parts.logger,
    clock: parts.clock,
    metrics: parts.metrics ?? createMetrics(),
    inboundHooks: new InboundHooks(),
    contactKeys,
    intake: NO_INTAKE,
    close: () =>
      (closing ??= (async () => {
        await ctx.intake.close();
        ctx.contactKeys.close();
        if (opts.ownsDatabase) await parts.database.close();
      })()),
  };
  return ctx;
}
