// The webhook endpoint in its own process, for the spool's crash test: serves POST /webhook on SQLite with the
// spool on, prints its port, and is killed with SIGKILL at random moments; on "settle" it waits until everything
// the spool answered is moved into the database and prints "settled".
import { openApp } from '../../src/app/bootstrap.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildServer } from '../../src/http/app.ts';
import { ingestRoutes } from '../../src/http/routes/webhook.ts';

const cfg = JSON.parse(process.argv[2]!) as { dataDir: string; masterKey: string; secret: string };
const ctx = await openApp(
  loadConfig({
    PAGESCOPE_DATA_DIR: cfg.dataDir,
    PAGESCOPE_MASTER_KEY: cfg.masterKey,
    META_APP_SECRET: cfg.secret,
    PAGESCOPE_WEBHOOK_SPOOL_MB: '4',
    LOG_LEVEL: 'silent',
  }),
  { webhookSpool: true },
);
const app = await buildServer(ctx, { routes: [ingestRoutes] });
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`port ${(app.server.address() as { port: number }).port}\n`);
process.stdin.on('data', (d: Buffer) => {
  if (d.toString().includes('settle')) void ctx.intake.settled().then(() => process.stdout.write('settled\n'));
});
