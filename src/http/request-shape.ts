import type { FastifyRequest } from 'fastify';

// Two pieces of request handling Fastify leaves to us: query-string numbers (schemas do not coerce, see app.ts) and
// a 405 with `Allow` for a method the path does not have (Fastify answers 404).

type PropertySchema = { type?: string | string[] };

/**
 * Turns the query-string values that the route's schema types as integer or number into numbers when they are
 * written as one; anything else stays text, so the schema refuses it naming the parameter.
 */
export function parseQueryNumbers(req: FastifyRequest): void {
  const props = (req.routeOptions.schema?.querystring as { properties?: Record<string, PropertySchema> } | undefined)
    ?.properties;
  const query = req.query as Record<string, unknown> | undefined;
  if (!props || !query) return;
  for (const [key, schema] of Object.entries(props)) {
    const types = [schema.type ?? []].flat();
    const value = query[key];
    if (typeof value !== 'string' || !(types.includes('integer') || types.includes('number'))) continue;
    if (/^-?[0-9]+(\.[0-9]+)?$/.test(value)) query[key] = Number(value);
  }
}

const patterns = new WeakMap<object, { regex: RegExp; method: string }[]>();

function compile(routes: readonly { method: string; url: string }[]): { regex: RegExp; method: string }[] {
  // The web UI's catch-all (`/*`, GET) would make every path known; it is a fallback, not a route of a path.
  return routes
    .filter((r) => r.url !== '/*')
    .map((r) => {
      const source = r.url
        .split('/')
        .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      return { regex: new RegExp(`^${source}/?$`), method: r.method };
    });
}

/** The methods registered for the request's path (empty when the path itself is unknown). */
export function methodsOf(routes: readonly { method: string; url: string }[], url: string): string[] {
  let compiled = patterns.get(routes);
  if (!compiled || compiled.length !== routes.filter((r) => r.url !== '/*').length) {
    compiled = compile(routes);
    patterns.set(routes, compiled);
  }
  const path = url.split('?', 1)[0] ?? '';
  return [...new Set(compiled.filter((p) => p.regex.test(path)).map((p) => p.method))].sort();
}
