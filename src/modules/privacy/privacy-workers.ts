import type { AppContext } from '../../kernel/context.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { createGraphClient, type GraphClient } from '../../platform/graph-client.ts';
import { runRetention } from '../retention/retention.ts';
import { warnDeadlines } from './deadline-warner.ts';
import { maintainIntakeKeys } from './intake-keys.ts';
import { processNextCallback, settleCallbacks } from './process-meta-callback.ts';
import { runNextRequest } from './run-requests.ts';

export interface PrivacyWorkerOptions {
  /** Graph client for `ids_for_pages`; by default one built from the Meta settings. */
  graph?: GraphClient | null;
  idleMs?: number;
  deadlineEveryMs?: number;
  retentionEveryMs?: number;
  /** How often the intake keys are looked at: a new one each INTAKE_KEY_LIFE_MS, old ones destroyed (default 60 s). */
  intakeKeysIdleMs?: number;
}

/** Keeps a slow loop on its own period: the iteration runs only when the period has passed. */
function every(ctx: AppContext, periodMs: number, run: () => Promise<unknown>): () => Promise<number> {
  let next = 0;
  return async () => {
    const now = ctx.clock.now();
    if (now < next) return 0;
    next = now + periodMs;
    await run();
    return 0;
  };
}

/**
 * The privacy background work: the request executor (with Meta callback mapping), the deadline warner, the
 * retention jobs and the rotation of intake keys. Each is a loop that drains on stop.
 */
export function startPrivacyWorkers(ctx: AppContext, opts: PrivacyWorkerOptions = {}): BackgroundWorker[] {
  const graph =
    opts.graph !== undefined
      ? opts.graph
      : createGraphClient({
          baseUrl: ctx.config.meta.graphUrl,
          version: ctx.config.meta.graphVersion,
          ...(ctx.config.meta.appSecret && { appSecret: ctx.config.meta.appSecret }),
          timeoutMs: 10_000,
        });
  const idleMs = opts.idleMs ?? 1000;
  return [
    startLoop(
      { name: 'privacy.requests', logger: ctx.logger, idleMs, errorMs: 5000 },
      async () => (await processNextCallback(ctx, graph)) + (await runNextRequest(ctx)) + (await settleCallbacks(ctx)),
    ),
    startLoop(
      { name: 'privacy.deadlines', logger: ctx.logger, idleMs: Math.min(idleMs * 60, 60_000) },
      every(ctx, opts.deadlineEveryMs ?? 15 * 60_000, () => warnDeadlines(ctx)),
    ),
    startLoop(
      { name: 'retention', logger: ctx.logger, idleMs: Math.min(idleMs * 60, 60_000) },
      every(ctx, opts.retentionEveryMs ?? 60 * 60_000, () => runRetention(ctx)),
    ),
    startLoop(
      { name: 'privacy.intake-keys', logger: ctx.logger, idleMs: opts.intakeKeysIdleMs ?? 60_000, errorMs: 30_000 },
      async () => {
        await maintainIntakeKeys(ctx);
        return 0;
      },
    ),
  ];
}
