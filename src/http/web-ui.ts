import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The agent inbox (the React app in web/, built by `npm run build` into dist/web/) at `/`, from the same server as
 * the API. The built files are few and small, so they are read once at start and answered from memory: no file
 * system access per request, and no path from a request ever reaches the disk. A path that names no file and has no
 * extension is a client route and gets index.html (the SPA fallback); a path under one of the server's own first
 * segments (`/api`, `/login`, `/webhook` …) never does, so an unknown API path stays a JSON 404 (or 405).
 */
const WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface WebFile {
  body: Buffer;
  type: string;
  cache: string;
}

/** Every file of the built UI by its URL path; empty when the UI was not built. */
export function loadWebFiles(dir = WEB_DIR): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        // Vite names every file under assets/ by its content's hash: it never changes, so browsers keep it a year.
        // index.html names the current ones, so it is never cached.
        const cache = url.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : url === '/index.html'
            ? 'no-store'
            : 'public, max-age=3600';
        files.set(url, { body: readFileSync(path), type: TYPES[extname(e.name)] ?? 'application/octet-stream', cache });
      }
    }
  };
  walk(dir);
  return files;
}

const NOT_BUILT =
  '<!doctype html><meta charset="utf-8"><title>pagescope</title><p>The web inbox is not built: run <code>npm run build</code>. The API is at <a href="/api/docs">/api/docs</a>.</p>';

/** Registers `/` and the SPA fallback; call it after every other route module. */
export function webUiRoutes(app: FastifyInstance, _ctx?: unknown, files = loadWebFiles()): void {
  // The first segments of every other route, once all are registered, and of those a server may leave out (/metrics
  // when it is served on its own address).
  const reserved = new Set<string>(['api', 'metrics', 'webhook', 'login', 'meta', '_emulator']);
  app.addHook('onReady', async () => {
    for (const r of app.routeTable) {
      const first = r.url.split('/')[1] ?? '';
      if (first !== '' && first !== '*' && !first.startsWith(':')) reserved.add(first);
    }
  });
  const send = (reply: FastifyReply, file: WebFile | undefined) => {
    // Helmet's `upgrade-insecure-requests` would make a browser fetch the app's own scripts over https from a server
    // reached over plain http (a LAN address), and they would not load: the page keeps the rest of the policy.
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string')
      void reply.header(
        'content-security-policy',
        csp
          .split(';')
          .filter((d) => d.trim() !== 'upgrade-insecure-requests')
          .join(';'),
      );
    if (!file)
      return reply
        .status(200)
        .header('content-type', TYPES['.html']!)
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    return reply.status(200).header('content-type', file.type).header('cache-control', file.cache).send(file.body);
  };
  const opts = { schema: { hide: true }, config: { auth: 'public' as const } };
  app.get('/', opts, async (_req, reply) => send(reply, files.get('/index.html')));
  app.get('/*', opts, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const first = path.split('/')[1] ?? '';
    // The server's own paths ('api', 'login', 'webhook' …): their 404 and 405 answers, never the app.
    if (reserved.has(first)) return reply.callNotFound();
    const file = files.get(path);
    if (file) return send(reply, file);
    if (extname(path) !== '') return reply.callNotFound();
    return send(reply, files.get('/index.html'));
  });
}
