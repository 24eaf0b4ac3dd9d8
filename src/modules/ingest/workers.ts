import type { AppContext } from '../../app/context.ts';
import { startLoop, type BackgroundWorker } from '../../app/worker.ts';
import type { GraphClient } from '../../platform/index.ts';
import { enrichProfiles } from '../contacts/enrich-profiles.ts';
import { matchIdsForPages } from '../contacts/match-ids.ts';
import { onDeliveryStored } from './notify.ts';
import { processPendingDeliveries, type ProcessOptions } from './process-deliveries.ts';
import { purgeRawWebhookData } from './purge-raw.ts';

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
}

/** The ingest side's background work: the delivery processor, the profile enricher, raw-data retention and, when enabled, the ID matcher. */
export function startIngestWorkers(ctx: AppContext, opts: IngestWorkerOptions = {}): BackgroundWorker[] {
  const processor = startLoop({ name: 'webhook-processor', logger: ctx.logger, idleMs: opts.idleMs ?? 1000 }, () => processPendingDeliveries(ctx, opts.process));
  const unsubscribe = onDeliveryStored(ctx, () => processor.wake());
  const enricher = startLoop({ name: 'profile-enricher', logger: ctx.logger, idleMs: opts.profileIdleMs ?? 5000, errorMs: 30_000 }, () =>
    enrichProfiles(ctx, opts.graph ? { graph: opts.graph } : {}),
  );
  const retention = startLoop({ name: 'raw-retention', logger: ctx.logger, idleMs: opts.retentionIdleMs ?? 10 * 60_000 }, () => purgeRawWebhookData(ctx));
  const matcher = ctx.config.linkIdsForPages
    ? [startLoop({ name: 'id-matcher', logger: ctx.logger, idleMs: opts.idMatchIdleMs ?? 5000, errorMs: 30_000 }, () => matchIdsForPages(ctx, opts.graph ? { graph: opts.graph } : {}))]
    : [];
  return [
    { name: processor.name, wake: processor.wake, stop: async () => { unsubscribe(); await processor.stop(); } },
    enricher,
    retention,
    ...matcher,
  ];
}
