import { Counter, type Registry } from 'prom-client';

function create(registry: Registry) {
  return {
    tokenInvalid: new Counter({
      name: 'pagescope_pages_token_invalid_total',
      help: 'Pages marked token_invalid because Meta rejected their access token (code 190), by the call that found it; add a new token to resume',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
  };
}

const byRegistry = new WeakMap<Registry, ReturnType<typeof create>>();

/** The Page metrics of one app's registry, created once. */
export function pageMetrics(registry: Registry): ReturnType<typeof create> {
  let m = byRegistry.get(registry);
  if (!m) byRegistry.set(registry, (m = create(registry)));
  return m;
}
