// A processing worker in its own process, for crash tests: opens the app's database and processes deliveries until
// killed (the test sends SIGKILL at random moments), or with `--drain` until nothing is pending, then exits 0.
import { openDatabase } from '../../src/db/database.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { systemClock } from '../../src/lib/time.ts';
import { openKeyring } from '../../src/modules/keys/keyring-store.ts';
import { withWebhookIntake } from '../../src/app/bootstrap.ts';
import { processPendingPosts } from '../../src/modules/ingest/process-posts.ts';
import { createContext } from '../../src/kernel/context.ts';
import { seededRandom } from '../support/random.ts';

export interface CrashWorkerConfig {
  dataDir: string;
  databaseUrl: string | null;
  schema?: string;
  masterKey: string;
  leaseMs: number;
  /** Seeds this worker's random batch sizes (the test logs its seed, from which this one derives). */
  seed: number;
}

const cfg = JSON.parse(process.argv[2]!) as CrashWorkerConfig;
const drainMode = process.argv.includes('--drain');
const random = seededRandom(cfg.seed);
const database = await openDatabase({
  dataDir: cfg.dataDir,
  databaseUrl: cfg.databaseUrl,
  ...(cfg.schema && { schema: cfg.schema }),
});
const keyring = await openKeyring(database, Buffer.from(cfg.masterKey, 'base64'));
const ctx = createContext(
  {
    config: loadConfig({ PAGESCOPE_DATA_DIR: cfg.dataDir, META_APP_SECRET: 'unused' }),
    database,
    keyring,
    logger: createLogger('silent'),
    clock: systemClock,
  },
  { ownsDatabase: true },
);
await withWebhookIntake(ctx, false);
process.stdout.write('ready\n');
// The test starts the next worker while the current one runs (start-up is slow); it begins work on "go".
await new Promise<void>((resolve) => {
  if (drainMode) return resolve();
  process.stdin.once('data', () => resolve());
});
const pending = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('webhook_posts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
    ).n,
  );
for (;;) {
  // Small random batches move the kill points around inside and between transactions.
  const n = await processPendingPosts(ctx, { limit: 1 + Math.floor(random() * 6), leaseMs: cfg.leaseMs });
  if (n > 0) process.stdout.write(`processed ${n}\n`);
  else if (drainMode && (await pending()) === 0) break;
  else await new Promise((r) => setTimeout(r, 10));
}
await ctx.close();
process.exit(0);
