import type { AppContext } from '../../kernel/context.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import type { GraphClient } from '../../platform/index.ts';
import { enrichProfiles } from '../contacts/enrich-profiles.ts';
import { matchIdsForPages } from '../contacts/match-ids.ts';
import { notifyPostStored, onPostStored } from '../../kernel/notifier.ts';
import { processPendingPosts, type ProcessOptions } from './process-posts.ts';
import { purgeRawWebhookData } from './purge-raw.ts';
import { rescueWebhookSpool, spoolConfigured } from '../../intake/index.ts';

export interface IngestWorkerOptions {
  process?: ProcessOptions;
  /** Pause when there is nothing to process (default 1 s; a stored delivery wakes the processor at once). */
  idleMs?: number;
  /** Graph client for profile fetches and ID matching (default: from the configuration). */
  graph?: GraphClient;
  profileIdleMs?: number;
  /** Pause of the ID matcher when nothing is due (it runs only with PAGESCOPE_LINK_IDS_FOR_PAGES on). */
  idMatchIdleMs?: number;
  retentionIdleMs?: number;
  /** How often a process looks for webhook-spool records left unmoved by a stopped web process (default 30 s). */
  spoolRescueIdleMs?: number;
  /**
   * Whether to look for a stopped web process's spool at all (default true). Off in the processing thread of
   * `serve`: the web role of the same process holds the spool there.
   */
  spoolRescue?: boolean;
}

/**
 * The ingest side's background work: the delivery processor, the profile enricher, raw-data retention, on SQLite the
 * rescue of a stopped web process's spool and, when enabled, the ID matcher.
 */
export function startIngestWorkers(ctx: AppContext, opts: IngestWorkerOptions = {}): BackgroundWorker[] {
  const processor = startLoop({ name: 'webhook-processor', logger: ctx.logger, idleMs: opts.idleMs ?? 1000 }, () =>
    processPendingPosts(ctx, opts.process),
  );
  const unsubscribe = onPostStored(ctx, () => processor.wake());
  const enricher = startLoop(
    { name: 'profile-enricher', logger: ctx.logger, idleMs: opts.profileIdleMs ?? 5000, errorMs: 30_000 },
    () => enrichProfiles(ctx, opts.graph ? { graph: opts.graph } : {}),
  );
  const retention = startLoop(
    { name: 'raw-retention', logger: ctx.logger, idleMs: opts.retentionIdleMs ?? 10 * 60_000 },
    () => purgeRawWebhookData(ctx),
  );
  const matcher = ctx.config.linkIdsForPages
    ? [
        startLoop({ name: 'id-matcher', logger: ctx.logger, idleMs: opts.idMatchIdleMs ?? 5000, errorMs: 30_000 }, () =>
          matchIdsForPages(ctx, opts.graph ? { graph: opts.graph } : {}),
        ),
      ]
    : [];
  // SQLite: what a web process answered from its spool and did not move before it stopped is moved from here when
  // no live process holds the spool (a worker-only process would otherwise leave it for the next web process). The
  // first look comes one pause after start, so a web process started beside this one takes the spool first; one look
  // per pause, as a rescue moves everything there is.
  const rescue =
    spoolConfigured(ctx) && opts.spoolRescue !== false
      ? [
          startLoop(
            {
              name: 'webhook-spool-rescue',
              logger: ctx.logger,
              idleMs: opts.spoolRescueIdleMs ?? 30_000,
              errorMs: 30_000,
              idleFirst: true,
            },
            async () => {
              await rescueWebhookSpool(ctx, () => notifyPostStored(ctx));
              return 0;
            },
          ),
        ]
      : [];
  return [
    {
      name: processor.name,
      wake: processor.wake,
      stop: async () => {
        unsubscribe();
        await processor.stop();
      },
    },
    enricher,
    retention,
    ...rescue,
    ...matcher,
  ];
}
