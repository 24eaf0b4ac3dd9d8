import http from 'node:http';
import https from 'node:https';
import type { TransportRequest, TransportResponse, WebhookTransport } from './options.ts';

/** The default webhook transport: real HTTP(S) with keep-alive; a timeout or socket error rejects. */
export function httpTransport(maxSockets: number): WebhookTransport & { destroy(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  const transport = (req: TransportRequest) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const lib = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const r = lib.request(url, { method: req.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      const timer = setTimeout(() => r.destroy(new Error(`timed out after ${req.timeoutMs} ms`)), req.timeoutMs);
      r.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      r.end(req.body);
    });
  // Keep-alive sockets would otherwise outlive the emulator.
  return Object.assign(transport, { destroy: () => Object.values(agents).forEach((a) => a.destroy()) });
}
