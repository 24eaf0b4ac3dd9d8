import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The product's Prometheus metrics; one registry per running app so tests can run several side by side. */
export function createMetrics(opts: { processDefaults?: boolean } = {}) {
  const registry = new Registry();
  // prom-client's names already start with process_ or nodejs_: pagescope_process_cpu_user_seconds_total. A worker
  // thread leaves them to the main thread (they are the process's), whose /metrics carries the thread's own.
  if (opts.processDefaults !== false) collectDefaultMetrics({ register: registry, prefix: 'pagescope_' });
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'pagescope_http_requests_total',
      help: 'HTTP requests by route pattern and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'pagescope_auth_failures_total',
      help: 'Rejected API authentications',
      registers: [registry],
    }),
    webhookPosts: new Counter({
      name: 'pagescope_webhook_posts_total',
      help: 'Webhook POSTs by outcome: stored or refused (and why) at receipt; duplicate when processing finds bytes it has seen before',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookUnhandled: new Counter({
      name: 'pagescope_webhook_events_unhandled_total',
      help: 'Webhook events kept raw because their kind, object or Page is not handled',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    webhookCommitBatch: new Histogram({
      name: 'pagescope_webhook_commit_batch_size',
      help: 'Deliveries made durable together: by one spool record (SQLite) or one group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    webhookSpoolUnmoved: new Gauge({
      name: 'pagescope_webhook_spool_unmoved_bytes',
      help: 'Bytes of the webhook spool answered but not yet moved into the database; at the spool size POSTs get 503',
      registers: [registry],
    }),
    webhookSpoolBytes: new Gauge({
      name: 'pagescope_webhook_spool_size_bytes',
      help: 'Size of the webhook spool (0 when POSTs are committed straight to the database)',
      registers: [registry],
    }),
    eventsProcessed: new Counter({
      name: 'pagescope_events_processed_total',
      help: 'Webhook events processed, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deliveriesByStatus: new Counter({
      name: 'pagescope_outbound_deliveries_total',
      help: 'Outbound deliveries reaching a final or intermediate status',
      labelNames: ['status', 'reason'] as const,
      registers: [registry],
    }),
    assistantDecisions: new Counter({
      name: 'pagescope_assistant_decisions_total',
      help: 'Decisions of the FAQ assistant on inbound messages, by action (answer, handoff, none) and source',
      labelNames: ['action', 'source'] as const,
      registers: [registry],
    }),
    assistantModelCalls: new Counter({
      name: 'pagescope_assistant_model_calls_total',
      help: "Calls to the assistant's language model, by outcome (the tool it chose, or timeout, http_error, unreachable, garbage)",
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    intakeKeys: new Gauge({
      name: 'pagescope_intake_keys',
      help: 'Intake keys held (raw webhook bodies are sealed under them; an old one goes once its bodies are gone)',
      registers: [registry],
    }),
    keyRewrapRemaining: new Gauge({
      name: 'pagescope_key_rewrap_remaining_rows',
      help: 'Rows still encrypted under a key version other than the current one',
      registers: [registry],
    }),
  };
  // Counted for every webhook POST Meta sends: the labelled child is looked up once, not per request.
  return { ...metrics, webhookStored: metrics.webhookPosts.labels({ outcome: 'stored' }) };
}

export type Metrics = ReturnType<typeof createMetrics>;
