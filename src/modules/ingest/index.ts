// Webhook ingest: receive (verify, store, ack), process (dedupe, identity, history, consent), retention.
export { receiveWebhook } from './receive-webhook.ts';
export { processPendingDeliveries, type ProcessOptions } from './process-deliveries.ts';
export { purgeRawWebhookData } from './purge-raw.ts';
export { startIngestWorkers, type IngestWorkerOptions } from './workers.ts';
export { onDeliveryStored } from '../../kernel/notifier.ts';
export { InboundHooks, type InboundHook, type InboundEventContext } from '../../kernel/inbound-hooks.ts';
