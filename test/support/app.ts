import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import { createContext, type AppContext } from '../../src/kernel/context.ts';
import { buildServer, type RouteModule } from '../../src/http/app.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Clock } from '../../src/lib/time.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createToken } from '../../src/modules/access/create-token.ts';
import { initialiseKeys, openKeyring } from '../../src/modules/keys/keyring-store.ts';
import type { Dialect } from '../../src/db/types.ts';
import { withWebhookIntake } from '../../src/app/bootstrap.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public t = Date.UTC(2026, 10, 28, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Collects every log line in memory so tests can scan them for personal data. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  text(): string {
    return this.lines.join('');
  }
}

export interface TestApp {
  ctx: AppContext;
  database: TestDatabase;
  clock: ManualClock;
  logs: LogCapture;
  masterKey: Buffer;
  ownerToken: string;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** A fully initialised app on a fresh database, with an owner token, logging at debug level into memory. */
export async function createTestApp(
  dialect: Dialect,
  opts: { routes?: RouteModule[]; env?: Record<string, string>; spoolRetryMs?: number } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(dialect);
  const masterKey = randomBytes(32);
  const clock = new ManualClock();
  await initialiseKeys(database.db, masterKey, clock.now());
  const keyring = await openKeyring(database, masterKey);
  const logs = new LogCapture();
  // A small webhook spool: every test app serving /webhook on SQLite zero-fills its ring once.
  const config = loadConfig({
    PAGESCOPE_DATA_DIR: database.dataDir,
    META_APP_SECRET: 'test-app-secret',
    META_VERIFY_TOKEN: 'verify-me',
    PAGESCOPE_WEBHOOK_SPOOL_MB: '4',
    ...opts.env,
  });
  const ctx = createContext({ config, database, keyring, logger: createLogger('debug', logs), clock });
  // An app serving /webhook takes the spool (SQLite), as serve's web role does.
  await withWebhookIntake(ctx, opts.routes?.includes(ingestRoutes) ?? false, opts.spoolRetryMs);
  const { token } = await createToken(ctx, cliActor, { name: 'owner', role: 'owner' });
  const server = await buildServer(ctx, { routes: opts.routes ?? [] });
  await server.ready();
  return {
    ctx,
    database,
    clock,
    logs,
    masterKey,
    ownerToken: token,
    server,
    close: async () => {
      await server.close();
      await ctx.close();
      await database.destroy();
    },
  };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
