// Helpers for tests that use the emulator in-process: a webhook receiver that needs no socket.
import { createEmulator } from './emulator.ts';
import type { EmulatorOptionsInput, TransportRequest, TransportResponse, WebhookTransport } from './options.ts';

export interface RecordingTransport {
  transport: WebhookTransport;
  /** Every request the emulator made, in order. */
  requests: TransportRequest[];
  /** Parsed bodies of the POSTs. */
  envelopes(): { object: string; entry: Record<string, unknown>[] }[];
  /** Decides each answer; default 200, and the challenge echoed for handshakes. */
  answer: (req: TransportRequest) => TransportResponse | Promise<TransportResponse>;
}

/** A transport that records requests and answers as `answer` says (200 by default). */
export function recordingTransport(): RecordingTransport {
  const rec: RecordingTransport = {
    requests: [],
    envelopes: () =>
      rec.requests
        .filter((r) => r.method === 'POST' && r.body?.startsWith('{"object"'))
        .map((r) => JSON.parse(r.body!)),
    answer: (req) => ({
      status: 200,
      body: req.method === 'GET' ? (new URL(req.url).searchParams.get('hub.challenge') ?? '') : 'EVENT_RECEIVED',
    }),
    transport: async (req) => {
      rec.requests.push(req);
      return rec.answer(req);
    },
  };
  return rec;
}

/** An in-process emulator on a frozen clock with one Page and one person, webhooks recorded. */
export function emulatorWithPage(options: EmulatorOptionsInput = {}) {
  const rec = recordingTransport();
  const emu = createEmulator({
    seed: 'test',
    appSecret: 'test-secret',
    clockMode: 'frozen',
    clockStart: Date.UTC(2026, 10, 28, 12),
    webhookUrl: 'http://pagescope.test/webhook',
    transport: rec.transport,
    ...options,
  });
  const page = emu.createPage({ name: 'Shop' });
  const user = emu.createUser({ first_name: 'Ana', last_name: 'Silva', locale: 'pt_BR', timezone: -3 });
  const send = (body: Record<string, unknown>, token = page.access_token) =>
    emu.graph({ method: 'POST', path: '/v25.0/me/messages', query: { access_token: token }, body });
  return { emu, rec, page, user, send };
}
