import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { classifyGraphError, classifyNetworkFailure, type GraphErrorClass } from './graph-errors.ts';

export type GraphTransportOptions = {
  baseUrl: string;
  version: string;
  appSecret?: string;
  timeoutMs: number;
  /** Connections kept open to the Graph API and reused (keep-alive); default 64, above any dispatcher's concurrency. */
  maxSockets?: number;
};

export type GraphCall = {
  /** A name for errors and metrics, e.g. `send_message`; never holds an id. */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the version, e.g. `me/messages`. Segments are URL-encoded by the caller. */
  path: string;
  token: string;
  query?: Record<string, string>;
  body?: unknown;
};

/** A failed Graph call with its classification; the message names the operation and class, never a token or id. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    readonly operation: string,
    readonly classification: GraphErrorClass,
  ) {
    const { stableCode, code, subcode, message } = classification;
    const meta = code === undefined ? '' : ` (#${code}${subcode === undefined ? '' : `/${subcode}`})`;
    super(`Graph ${operation} failed: ${stableCode}${meta}: ${message}`);
  }
}

/** HMAC-SHA256 of the access token keyed by the app secret, as Graph expects in `appsecret_proof`. */
export function appSecretProof(token: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(token).digest('hex');
}

// Graph answers are small JSON documents; anything this large is not one, and is not read into memory.
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
// One per Page token in use; past this many (tokens replaced over a long run) the cache starts again.
const MAX_CACHED_PROOFS = 1024;

/**
 * Performs one Graph call; resolves with the parsed JSON of a 2xx answer, rejects only with a `GraphError`.
 * Calls go through node:http(s) with a keep-alive agent: one per transport, so connections are reused across calls
 * (a fresh TLS handshake per send would cost more than the send), and idle ones never hold the process open.
 */
export function createGraphTransport(options: GraphTransportOptions): (call: GraphCall) => Promise<unknown> {
  const base = new URL(`${options.baseUrl.replace(/\/+$/, '')}/`);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error('the Graph API URL must start with http:// or https://');
  const secure = base.protocol === 'https:';
  const agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const target = {
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port || (secure ? 443 : 80),
    agent,
    request: secure ? https.request : http.request,
  };
  const prefix = `${base.pathname}${options.version}/`;
  // A Page's token changes rarely and every send carries its proof: one HMAC per token, not per call.
  const proofs = new Map<string, string>();
  const proofOf = (token: string, appSecret: string) => {
    let proof = proofs.get(token);
    if (proof === undefined) {
      if (proofs.size >= MAX_CACHED_PROOFS) proofs.clear();
      proofs.set(token, (proof = appSecretProof(token, appSecret)));
    }
    return proof;
  };
  return async (call) => {
    const query = new URLSearchParams(call.query);
    if (options.appSecret) query.set('appsecret_proof', proofOf(call.token, options.appSecret));
    const search = query.toString();
    // The token travels in a header, not the URL, so proxies and access logs never record it.
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${call.token}`,
      accept: 'application/json',
    };
    let payload: Buffer | undefined;
    if (call.body !== undefined) {
      payload = Buffer.from(JSON.stringify(call.body), 'utf8');
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const fail = (classification: GraphErrorClass) => new GraphError(call.operation, scrub(classification, call.token));

    let answer: { status: number; text: string };
    try {
      answer = await exchange(
        target,
        call.method,
        `${prefix}${call.path}${search ? `?${search}` : ''}`,
        headers,
        payload,
        options.timeoutMs,
      );
    } catch (error) {
      throw fail(classifyNetworkFailure(error));
    }
    const { status, text } = answer;
    const json = parseJson(text);
    const carriesError = typeof json === 'object' && json !== null && 'error' in json;
    if (status < 200 || status > 299 || carriesError) throw fail(classifyGraphError(status, json ?? text));
    if (json === undefined) {
      // Not retried: a garbled answer to a send may hide a message that was delivered.
      throw fail({
        kind: 'permanent',
        retry: false,
        httpStatus: status,
        stableCode: 'meta_invalid_response',
        message: 'The Graph API answered with a body that is not JSON.',
      });
    }
    return json;
  };
}

interface Target {
  protocol: string;
  hostname: string;
  port: string | number;
  agent: http.Agent;
  request: typeof http.request;
}

/** One request and its whole answer; rejects on a network failure, or with a TimeoutError after `timeoutMs`. */
function exchange(
  t: Target,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  payload: Buffer | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    // Whatever the socket reports after the deadline (the answer was cut off because we cut it), it timed out.
    const failed = (err: unknown) => {
      clearTimeout(timer);
      reject(
        timedOut ? Object.assign(new Error('the Graph API did not answer in time'), { name: 'TimeoutError' }) : err,
      );
    };
    const req = t.request(
      { protocol: t.protocol, hostname: t.hostname, port: t.port, agent: t.agent, method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('the answer is too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks, size).toString('utf8') });
        });
        // After the answer has begun, failures are reported on it rather than on the request.
        res.on('aborted', () => failed(new Error('the connection closed before the answer was complete')));
        res.on('error', failed);
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timed out'));
    }, timeoutMs);
    req.on('error', failed);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function scrub(classification: GraphErrorClass, token: string): GraphErrorClass {
  if (!token || !classification.message.includes(token)) return classification;
  return { ...classification, message: classification.message.split(token).join('[token]') };
}
