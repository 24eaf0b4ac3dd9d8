// Parsing a Graph request the way Meta accepts it: JSON body, form fields whose values are JSON-encoded, or
// JSON-stringified values in the query string; the token in `access_token` or `Authorization: Bearer`.
import { errors } from '../graph-error-answers.ts';
import { appsecretProof } from '../meta-signatures.ts';
import type { Core } from '../core.ts';
import type { Page } from '../world.ts';

export interface GraphRequest {
  method: string;
  /** Path without the query string, e.g. `/v25.0/me/messages`. */
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string | string[] | undefined>;
  /** Raw body text, or an already-parsed object (in-process calls). */
  body?: string | Record<string, unknown>;
}

export interface GraphResponse {
  status: number;
  body: unknown;
}

export type Params = Record<string, unknown>;

function lenientJson(value: string): unknown {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    try {
      return JSON.parse(trimmed.replace(/'/g, '"'));
    } catch {
      return value;
    }
  }
}

function fromEntries(entries: Iterable<[string, string | undefined]>): Params {
  const out: Params = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = lenientJson(v);
  return out;
}

/** Merges query and body parameters (body wins), decoding JSON-encoded object values. */
export function parseParams(req: GraphRequest): Params {
  const params = req.query ? fromEntries(Object.entries(req.query)) : {};
  const body = req.body;
  if (body === undefined || body === '') return params;
  if (typeof body === 'object') return Object.assign(params, body);
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw errors.param('Invalid JSON in request body');
    }
    return Object.assign(params, parsed as Params);
  }
  return Object.assign(params, fromEntries(new URLSearchParams(body).entries()));
}

export type Caller = { kind: 'page'; page: Page; token: string } | { kind: 'app'; token: string };

function header(req: GraphRequest, name: string): string | undefined {
  const v = req.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Resolves the access token to a Page or the app; checks appsecret_proof when given or required. */
export function authenticate(core: Core, req: GraphRequest, params: Params, proofRequired: boolean): Caller {
  let token = typeof params.access_token === 'string' ? params.access_token : undefined;
  const auth = header(req, 'authorization');
  if (!token && auth?.startsWith('Bearer ')) token = auth.slice(7).trim();
  if (!token) throw errors.missingToken();
  const { appId, appSecret } = core.opts;
  let caller: Caller;
  if (token === `${appId}|${appSecret}`) caller = { kind: 'app', token };
  else {
    const page = core.world.pageByToken(token);
    if (!page) throw errors.invalidToken();
    caller = { kind: 'page', page, token };
  }
  const proof = params.appsecret_proof;
  if (proof === undefined || proof === '') {
    if (proofRequired || core.opts.policy.requireAppsecretProof) throw errors.proofRequired();
  } else if (proof !== appsecretProof(appSecret, token)) throw errors.proofInvalid();
  return caller;
}

/** The Page a Page-scoped edge acts on: `me` or the token's own Page id; anything else is 100/33. */
export function pageFor(caller: Caller, node: string, method: string): Page {
  if (caller.kind !== 'page' || (node !== 'me' && node !== caller.page.id)) throw errors.unsupported(method, node);
  return caller.page;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
