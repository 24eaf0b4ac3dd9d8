/**
 * Meta Graph API error classification. The reference (§4) is the source: codes and subcodes decide, the HTTP status
 * only breaks ties when the body carries no Graph error. The contract fixes what is retried: rate limits
 * (4, 17, 32, 613, 80001) and transient failures (1, 2, HTTP 5xx, network); everything else is final.
 */
export type GraphErrorKind =
  | 'rate_limited'
  | 'unreachable'
  | 'invalid_recipient'
  | 'outside_window'
  | 'reauthorize'
  | 'thread_owned'
  | 'no_profile_permission'
  | 'no_profile'
  | 'transient'
  | 'invalid_request'
  | 'permanent';

export type GraphErrorClass = {
  kind: GraphErrorKind;
  retry: boolean;
  /** Snake_case code for the product's `delivery.error.code`. */
  stableCode: string;
  /** Meta's message with long numeric ids (PSIDs) removed; never holds a token. */
  message: string;
  httpStatus: number;
  code?: number;
  subcode?: number;
  type?: string;
  fbtraceId?: string;
};

export type BackoffOptions = { baseMs: number; maxMs: number };

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001]);
const TRANSIENT_CODES = new Set([1, 2]);
const OUTSIDE_WINDOW_SUBCODES = new Set([2018278, 2018065, 2534022]);
const THREAD_OWNED_CODES = new Set([2018300, 2534037]);
const MAX_MESSAGE_LENGTH = 300;

type ParsedGraphError = { code?: number; subcode?: number; message?: string; type?: string; fbtraceId?: string };

/** Classifies a failed Graph response (status 0 = no response at all); total: any body, never throws. */
export function classifyGraphError(httpStatus: number, body: unknown): GraphErrorClass {
  const parsed = readGraphError(body);
  const base = {
    httpStatus,
    message: sanitizeMessage(parsed?.message ?? defaultMessage(httpStatus)),
    ...(parsed?.code !== undefined && { code: parsed.code }),
    ...(parsed?.subcode !== undefined && { subcode: parsed.subcode }),
    ...(parsed?.type !== undefined && { type: parsed.type }),
    ...(parsed?.fbtraceId !== undefined && { fbtraceId: parsed.fbtraceId }),
  };
  const [kind, stableCode] = decide(httpStatus, parsed);
  return { ...base, kind, stableCode, retry: kind === 'rate_limited' || kind === 'transient' };
}

/** Classifies a request that got no HTTP answer: timeouts and network failures are transient. */
export function classifyNetworkFailure(error: unknown): GraphErrorClass {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return {
    kind: 'transient',
    retry: true,
    httpStatus: 0,
    stableCode: timedOut ? 'meta_timeout' : 'meta_network_error',
    message: timedOut ? 'The Graph API did not answer in time.' : 'The Graph API could not be reached.',
  };
}

/** Exponential backoff with full jitter: a delay in [0, min(maxMs, baseMs·2^(attempt-1))], attempt counted from 1. */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 1023));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * Math.max(ceiling, 0));
}

function decide(httpStatus: number, e: ParsedGraphError | undefined): [GraphErrorKind, string] {
  const code = e?.code;
  const subcode = e?.subcode;
  if (code !== undefined) {
    if (RATE_LIMIT_CODES.has(code))
      return ['rate_limited', code === 4 && subcode === 2018354 ? 'frequency_capped' : 'rate_limited'];
    if (code === 190) return ['reauthorize', 'page_unauthorized'];
    if (code === 551 || (code === 200 && subcode === 1545041) || (code === 10 && subcode === 2018108)) {
      return ['unreachable', 'unreachable'];
    }
    if (THREAD_OWNED_CODES.has(code) || (subcode !== undefined && THREAD_OWNED_CODES.has(subcode)))
      return ['thread_owned', 'thread_owned'];
    if (code === 10 && subcode !== undefined && OUTSIDE_WINDOW_SUBCODES.has(subcode))
      return ['outside_window', 'outside_window'];
    if (code === 10 && subcode === 1893015) return ['permanent', 'marketing_token_stopped'];
    if (subcode === 2018218 || code === 2018218) return ['no_profile', 'no_profile'];
    if (code === 100 && subcode === 33) return ['no_profile_permission', 'no_profile_permission'];
    if (code === 100 && subcode === 2018001) return ['invalid_recipient', 'invalid_recipient'];
    if (TRANSIENT_CODES.has(code)) return ['transient', 'meta_temporary_error'];
    if (code === 100) return ['invalid_request', 'invalid_request'];
    if (code === 10 || code === 3 || (code >= 200 && code <= 299)) return ['permanent', 'meta_permission_denied'];
  }
  if (httpStatus >= 500) return ['transient', 'meta_unavailable'];
  if (httpStatus === 429) return ['rate_limited', 'rate_limited'];
  if (httpStatus === 0 || httpStatus === 408) return ['transient', 'meta_timeout'];
  return ['permanent', 'meta_error'];
}

function readGraphError(body: unknown): ParsedGraphError | undefined {
  if (typeof body === 'string') {
    try {
      return readGraphError(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const e = body.error;
  const parsed: ParsedGraphError = {};
  const code = toInteger(e.code);
  const subcode = toInteger(e.error_subcode);
  if (code !== undefined) parsed.code = code;
  if (subcode !== undefined) parsed.subcode = subcode;
  if (typeof e.message === 'string') parsed.message = e.message;
  if (typeof e.type === 'string') parsed.type = e.type;
  if (typeof e.fbtrace_id === 'string') parsed.fbtraceId = e.fbtrace_id;
  return parsed;
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

// Graph messages quote object ids ("Object with ID '1254459154682919' does not exist"); those are PSIDs.
function sanitizeMessage(message: string): string {
  const cleaned = message.replace(/\d{8,}/g, '[id]').replace(/[\r\n\t]+/g, ' ');
  return cleaned.length > MAX_MESSAGE_LENGTH ? `${cleaned.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : cleaned;
}

function defaultMessage(httpStatus: number): string {
  if (httpStatus === 0) return 'No response from the Graph API.';
  return `The Graph API answered HTTP ${httpStatus} without an error description.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
