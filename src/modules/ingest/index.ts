// Webhook ingest: receive (verify, store, ack), process (dedupe, identity, history, consent), retention.
export { receiveWebhook } from './receive-webhook.ts';
export { processPendingPosts, type ProcessOptions } from './process-posts.ts';
export { purgeRawWebhookData } from './purge-raw.ts';
export { startIngestWorkers, type IngestWorkerOptions } from './workers.ts';
export { onPostStored } from '../../kernel/notifier.ts';
export { InboundHooks, type InboundHook, type InboundEventContext } from '../../kernel/inbound-hooks.ts';
