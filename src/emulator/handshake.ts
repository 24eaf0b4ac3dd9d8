// The verification GET Meta sends when a callback URL is registered (reference §1.1).
import type { Random } from './prng.ts';
import type { WebhookTransport } from './options.ts';

export interface HandshakeResult {
  ok: boolean;
  url: string;
  status: number | null;
  challenge: string;
  error?: string;
}

/** Sends `hub.mode=subscribe&hub.verify_token=…&hub.challenge=<int>`; ok only for 200 with the challenge echoed. */
export async function verifyCallback(
  transport: WebhookTransport,
  url: string,
  verifyToken: string,
  random: Random,
  timeoutMs: number,
): Promise<HandshakeResult> {
  const challenge = String(1_000_000_000 + random.int(1_000_000_000));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.verify_token', verifyToken);
  target.searchParams.set('hub.challenge', challenge);
  try {
    const res = await transport({ url: target.toString(), method: 'GET', headers: {}, timeoutMs });
    const ok = res.status === 200 && res.body === challenge;
    return {
      ok,
      url,
      status: res.status,
      challenge,
      ...(ok ? {} : { error: `answered ${res.status} ${res.body.slice(0, 80)}` }),
    };
  } catch (err) {
    return { ok: false, url, status: null, challenge, error: err instanceof Error ? err.message : String(err) };
  }
}
