import { Counter, Histogram, type Registry } from 'prom-client';

function create(registry: Registry) {
  return {
    sendSeconds: new Histogram({
      name: 'pagescope_send_api_seconds',
      help: 'Send API call latency by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimitWaits: new Counter({
      name: 'pagescope_send_rate_limit_waits_total',
      help: 'Sends that waited for the per-Page rate limit',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type MessagingMetrics = ReturnType<typeof create>;
const byRegistry = new WeakMap<Registry, MessagingMetrics>();

/** The messaging metrics of one app's registry, created once however many dispatchers share it. */
export function messagingMetrics(registry: Registry): MessagingMetrics {
  let m = byRegistry.get(registry);
  if (!m) byRegistry.set(registry, (m = create(registry)));
  return m;
}
