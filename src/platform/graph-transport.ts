import { createHmac } from 'node:crypto';
import { classifyGraphError, classifyNetworkFailure, type GraphErrorClass } from './graph-errors.ts';

export type GraphTransportOptions = {
  baseUrl: string;
  version: string;
  appSecret?: string;
  fetch?: typeof fetch;
  timeoutMs: number;
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

/** Performs one Graph call; resolves with the parsed JSON of a 2xx answer, rejects only with a `GraphError`. */
export function createGraphTransport(options: GraphTransportOptions): (call: GraphCall) => Promise<unknown> {
  const fetchImpl = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return async (call) => {
    const url = new URL(`${base}/${options.version}/${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    if (options.appSecret) url.searchParams.set('appsecret_proof', appSecretProof(call.token, options.appSecret));
    // The token travels in a header, not the URL, so proxies and access logs never record it.
    const headers: Record<string, string> = { authorization: `Bearer ${call.token}`, accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const fail = (classification: GraphErrorClass) => new GraphError(call.operation, scrub(classification, call.token));

    let status: number;
    let text: string;
    try {
      const response = await fetchImpl(url, {
        method: call.method,
        headers,
        ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw fail(classifyNetworkFailure(error));
    }
    const json = parseJson(text);
    const carriesError = typeof json === 'object' && json !== null && 'error' in json;
    if (status < 200 || status > 299 || carriesError) throw fail(classifyGraphError(status, json ?? text));
    if (json === undefined) {
      // Not retried: a garbled answer to a send may hide a message that was delivered.
      throw fail({ kind: 'permanent', retry: false, httpStatus: status, stableCode: 'meta_invalid_response', message: 'The Graph API answered with a body that is not JSON.' });
    }
    return json;
  };
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
