// The emulator over HTTP (node:http, for speed): Graph API paths answer as Meta's do; /_emulator is the control API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-api.ts';
import { createEmulator, type Emulator } from './emulator.ts';
import type { EmulatorOptionsInput } from './options.ts';
import { metaStringify } from './serialise.ts';

export interface EmulatorServer {
  url: string;
  port: number;
  emulator: Emulator;
  close(): Promise<void>;
}

export interface ServerOptions extends EmulatorOptionsInput {
  port?: number;
  host?: string;
  /** Use an existing emulator instead of creating one. */
  emulator?: Emulator;
}

const MAX_BODY = 10 * 1024 * 1024;
const VERSION = /^\/(v\d+\.\d+)\//;

/** Reads the body with plain callbacks (no promise per request: this path serves thousands of calls a second). */
function readBody(req: http.IncomingMessage, done: (body: string) => void): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    done('');
    req.resume();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
    if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
  });
  req.on('end', () => done(body));
}

function send(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function answer(emu: Emulator, req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const method = req.method ?? 'GET';
  if (path === '/_emulator' || path.startsWith('/_emulator/')) {
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : {};
    } catch {
      return send(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'body is not JSON' } }));
    }
    const out = await handleControl(emu, { method, path, query, body: parsed });
    return send(res, out.status, JSON.stringify(out.body));
  }
  const out = await emu.graph({ method, path, query: Object.fromEntries(query), headers: req.headers, body });
  const version = VERSION.exec(path)?.[1] ?? 'v25.0';
  const trace = (out.body as { error?: { fbtrace_id?: string } } | null)?.error?.fbtrace_id ?? emu.traceId();
  send(res, out.status, metaStringify(out.body), { 'facebook-api-version': version, 'x-fb-trace-id': trace });
}

/** The request handler, exported so the sandbox can mount the emulator inside another server. */
export function emulatorHandler(emu: Emulator): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) =>
    readBody(req, (body) => {
      answer(emu, req, res, body).catch((err: unknown) => {
        if (!res.headersSent)
          send(
            res,
            500,
            JSON.stringify({ error: { code: 'internal', message: err instanceof Error ? err.message : 'error' } }),
          );
      });
    });
}

/** Starts the emulator's HTTP server; `port: 0` (default) picks a free port. */
export async function startEmulatorServer(options: ServerOptions = {}): Promise<EmulatorServer> {
  const emulator = options.emulator ?? createEmulator(options);
  const server = http.createServer({ keepAliveTimeout: 65_000 }, emulatorHandler(emulator));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    emulator,
    close: async () => {
      emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
